"""Mentor reward thresholds (R24), research data requests (R25) and issued invoices (R3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentormemed.core.clock import platform_today


class ParticipationThreshold(models.Model):
    """What an institution counts as meaningful mentor participation in a year (R24)."""

    institution = models.OneToOneField(
        "institutions.Institution", on_delete=models.CASCADE, related_name="participation_threshold"
    )
    min_mentees = models.PositiveSmallIntegerField("mentees mentored", default=1)
    min_meetings = models.PositiveSmallIntegerField("meetings held", default=1)
    min_modules = models.PositiveSmallIntegerField("mentor training modules completed", default=1)
    min_cme_credits = models.DecimalField("CME credits claimed", max_digits=5, decimal_places=2, default=0)
    signer_name = models.CharField("letter signed by", max_length=200, blank=True)
    signer_title = models.CharField("signer's title", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class ResearchRequest(models.Model):
    """A mentor's request for de-identified data (R25). Staff decide case by case."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Irb(models.TextChoices):
        APPROVED = "approved", _("Approved by an IRB")
        EXEMPT = "exempt", _("Determined exempt by an IRB")
        PENDING = "pending", _("Submitted, decision pending")

    requester = models.ForeignKey("institutions.Membership", on_delete=models.PROTECT, related_name="research_requests")
    title = models.CharField(max_length=200)
    question = models.TextField(max_length=4000)
    variables = models.JSONField(default=list, help_text=_("Keys of outcomes.research.VARIABLES"))
    irb_status = models.CharField(max_length=10, choices=Irb.choices)
    irb_number = models.CharField("IRB protocol number", max_length=80, blank=True)
    irb_document = models.FileField(upload_to="research-irb/", max_length=300)
    irb_document_name = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(max_length=4000, blank=True)
    export_salt = models.CharField(max_length=64, blank=True, help_text=_("Pseudonym key of this request's export"))
    exports = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return self.title


class DataUseAgreement(models.Model):
    """The terms an approved research request's export is released under (R25, R40): who may see the
    data, for what, until when; accepted by the requester before any export, destroyed and attested by
    the date. Written by ``outcomes.services``; the terms are ``outcomes.agreements.TERMS``."""

    request = models.OneToOneField(ResearchRequest, on_delete=models.CASCADE, related_name="agreement")
    purpose = models.TextField(max_length=4000)
    variables = models.JSONField(default=list, help_text=_("The approved variables, fixed at approval"))
    recipients = models.TextField(max_length=2000, help_text=_("Everyone who may see the data, with their role"))
    destroy_by = models.DateField()
    terms_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_name = models.CharField(max_length=200, blank=True, help_text=_("The full name typed as a signature"))
    reminded_at = models.DateTimeField(null=True, blank=True, help_text=_("Reminder before the destruction date"))
    overdue_at = models.DateTimeField(null=True, blank=True, help_text=_("Notice that the attestation is overdue"))
    destroyed_on = models.DateField(null=True, blank=True)
    destroyed_attested_at = models.DateTimeField(null=True, blank=True)
    destruction_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | ~Q(accepted_name=""), name="agreement_accepted_is_signed"
            ),
            models.CheckConstraint(
                condition=Q(destroyed_attested_at__isnull=True)
                | Q(accepted_at__isnull=False, destroyed_on__isnull=False),
                name="agreement_destruction_after_acceptance",
            ),
        ]
        indexes = [models.Index(fields=["destroyed_attested_at", "destroy_by"])]

    def __str__(self) -> str:
        return f"Data use agreement for research request #{self.request_id}"

    @property
    def state(self) -> str:
        """awaiting (not accepted), active, expired (past the date, not attested) or destroyed."""
        if self.destroyed_attested_at:
            return "destroyed"
        if self.accepted_at is None:
            return "awaiting"
        return "expired" if platform_today() > self.destroy_by else "active"

    @property
    def releasable(self) -> bool:
        """The export may be produced: accepted, not past its destruction date, not destroyed."""
        return self.state == "active"


class InvoiceIssue(models.Model):
    """Staff issued the invoice of one subscription term (R3); the PDF is rendered from the term."""

    subscription = models.OneToOneField("institutions.Subscription", on_delete=models.CASCADE, related_name="issue")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(issued_at__isnull=False), name="invoice_issued_at_set")]


# ------------------------------------------------------------------ rollups behind the dashboards (R23)
# Maintained by ``outcomes.rollups``: the periodic sweep updates the changed institution × month
# partitions every MMM["OUTCOMES_REFRESH_MINUTES"] and rebuilds everything once a day (and on
# ``manage.py outcomes_rebuild``); only mentees consenting to analytics at refresh time.
# Ids are plain integers (no foreign keys): a rollup row outlives nothing and blocks no delete.


class CohortColumns(models.Model):
    """The cohort a rollup row describes (the R23 filters): the mentee's level and eligibility bases."""

    training_level = models.CharField(max_length=10, blank=True)
    urim = models.BooleanField(default=False)
    first_generation = models.BooleanField(default=False)
    economically_disadvantaged = models.BooleanField(default=False)

    class Meta:
        abstract = True


class SearchRollup(CohortColumns):
    """Searches of one person in one month at one training level: counts by result bucket."""

    institution_id = models.IntegerField()
    viewer_id = models.IntegerField()
    month = models.DateField()
    searches = models.IntegerField()
    no_results = models.IntegerField()
    few_results = models.IntegerField(help_text=_("1–3 results"))
    many_results = models.IntegerField(help_text=_("4 or more results"))
    # The month of this person's previous row (rows ordered by month, then level) among the rows
    # of the same kind: any row ("all"), rows of the same level group (UME/GME, "group"), the
    # same level, rows with no/few/many results. A row is a person's first in a date range when
    # that month is empty or before the range, so distinct people are a plain filtered count.
    prev_all = models.DateField(null=True)
    prev_group = models.DateField(null=True)
    prev_level = models.DateField(null=True)
    prev_none_all = models.DateField(null=True)
    prev_none_group = models.DateField(null=True)
    prev_few_all = models.DateField(null=True)
    prev_few_group = models.DateField(null=True)
    prev_many_all = models.DateField(null=True)
    prev_many_group = models.DateField(null=True)

    class Meta:
        # National ranges read most of the table: a sequential scan beats an index on month.
        indexes = [models.Index(fields=["institution_id", "month"])]


class SearchKeyRollup(CohortColumns):
    """Searches of one person in one month at one level that used one filter key."""

    institution_id = models.IntegerField()
    viewer_id = models.IntegerField()
    month = models.DateField()
    key = models.CharField(max_length=200)
    searches = models.IntegerField()
    unmet = models.IntegerField(help_text=_("searches with 3 or fewer results, content-area keys only"))
    # Previous month of the same person with the same key (see SearchRollup.prev_all).
    prev_all = models.DateField(null=True)
    prev_group = models.DateField(null=True)
    prev_unmet_all = models.DateField(null=True)
    prev_unmet_group = models.DateField(null=True)

    class Meta:
        # National ranges read most of the table: a sequential scan beats an index on month.
        indexes = [models.Index(fields=["institution_id", "month"])]


class RequestFact(CohortColumns):
    """One mentorship request of a consenting mentee, with the cohort and scope columns joined in."""

    request_id = models.IntegerField(unique=True)
    month = models.DateField()
    created_at = models.DateTimeField()
    mentee_id = models.IntegerField()
    mentee_institution_id = models.IntegerField()
    mentor_id = models.IntegerField()
    mentor_institution_id = models.IntegerField()
    state = models.CharField(max_length=10)
    response_time = models.DurationField(null=True, help_text=_("accepted or declined requests only"))

    class Meta:
        indexes = [
            models.Index(fields=["month"]),
            models.Index(fields=["mentee_institution_id", "month"]),
            models.Index(fields=["mentor_institution_id", "month"]),
        ]


class RequestFactLabel(CohortColumns):
    """A mentor specialty (kind "spec") or content area asked about (kind "area") of a request fact."""

    request_id = models.IntegerField()
    kind = models.CharField(max_length=4)
    name = models.CharField(max_length=200)
    month = models.DateField()
    mentee_id = models.IntegerField()
    mentee_institution_id = models.IntegerField()
    mentor_institution_id = models.IntegerField()
    state = models.CharField(max_length=10)
    # Month of the mentee's previous request with this label (months, then requests, in order):
    # distinct mentees nationally are a plain filtered count (cohort columns are per mentee).
    prev = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "month"]),
            models.Index(fields=["mentee_institution_id", "month"]),
            models.Index(fields=["mentor_institution_id", "month"]),
        ]


class RelationshipFact(CohortColumns):
    """One relationship of a consenting mentee: shared characteristics, areas, score and length."""

    relationship_id = models.IntegerField(unique=True)
    mentee_id = models.IntegerField(null=True, help_text=_("the analysis counts people, not relationships"))
    month = models.DateField()
    started_at = models.DateTimeField()
    mentee_institution_id = models.IntegerField()
    mentor_institution_id = models.IntegerField()
    # Tab-separated (decoding JSON for every relationship of a national analysis costs more than the rest).
    shared = models.TextField(blank=True, help_text=_("characteristic groups mentee and mentor share"))
    areas = models.TextField(blank=True, help_text=_("content areas of the request"))
    score = models.FloatField(null=True)
    months = models.FloatField(null=True, help_text=_("completed relationships only"))
    meetings = models.FloatField(
        null=True, help_text=_("meetings held (not cancelled) in the first 13 weeks; relationships at least that old")
    )
    goals = models.FloatField(
        null=True,
        help_text=_("percent of the pair's goals reached; relationships at least 13 weeks old with goals"),
    )
    working = models.FloatField(
        null=True, help_text=_("the mentee's check-in: 100 working, 0 not working; answered only")
    )
    not_a_fit = models.FloatField(
        null=True, help_text=_("100 if it ended because the match was not working (a re-match), else 0; ended only")
    )
    # The same two values exactly, as mantissa × 2**exponent (math.frexp): the database sums
    # them per characteristic exactly (integers), so the analysis needs no row in Python.
    score_m = models.BigIntegerField(null=True)
    score_e = models.SmallIntegerField(null=True)
    months_m = models.BigIntegerField(null=True)
    months_e = models.SmallIntegerField(null=True)
    meetings_m = models.BigIntegerField(null=True)
    meetings_e = models.SmallIntegerField(null=True)
    goals_m = models.BigIntegerField(null=True)
    goals_e = models.SmallIntegerField(null=True)
    working_m = models.BigIntegerField(null=True)
    working_e = models.SmallIntegerField(null=True)
    not_a_fit_m = models.BigIntegerField(null=True)
    not_a_fit_e = models.SmallIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["started_at"]),
            models.Index(fields=["mentee_institution_id", "started_at"]),
            models.Index(fields=["mentor_institution_id", "started_at"]),
        ]


class RollupRefresh(models.Model):
    """When the rollups were last brought up to date (one row): the dashboards say "figures as of" this."""

    refreshed_at = models.DateTimeField(help_text="the last update, full or incremental")
    seconds = models.FloatField(default=0, help_text="how long the last update took")
    rebuilt_at = models.DateTimeField(null=True, help_text="the last full rebuild")
    search_log_id = models.BigIntegerField(default=0, help_text="search log rows up to this id are in the rollups")


class RollupSource(models.Model):
    """A digest of one partition of a source table (requests, relationships, evaluations of one
    institution and month; an institution's mentees) as of the last update: the incremental update
    rebuilds the partitions whose digest changed (a new row, a state change, a withdrawn consent)."""

    key = models.CharField(max_length=80, unique=True)
    digest = models.CharField(max_length=40)


class MenteeJourney(CohortColumns):
    """One consenting mentee's way to a first mentor: first search, first request, first match."""

    mentee_id = models.IntegerField(unique=True)
    institution_id = models.IntegerField()
    first_search_at = models.DateTimeField(null=True)
    first_request_at = models.DateTimeField(null=True)
    matched_at = models.DateTimeField(null=True, help_text=_("the first relationship's start"))
    matched_local = models.BooleanField(null=True, help_text=_("the first mentor is of the mentee's institution"))

    class Meta:
        indexes = [models.Index(fields=["institution_id", "matched_at"])]


class UnmetSearchRollup(CohortColumns):
    """Searches of one person in one month that found 3 or fewer mentors, per need and affinity.

    ``need`` is a content area or specialty filter (or "" when the search had none), ``affinity``
    a shared-characteristic filter (identity, language, home region; "" when none): a search with
    two needs and one affinity counts under each of its (need, affinity) pairs and under each alone.
    """

    institution_id = models.IntegerField()
    viewer_id = models.IntegerField()
    month = models.DateField()
    need = models.CharField(max_length=120, blank=True)
    affinity = models.CharField(max_length=120, blank=True)
    searches = models.IntegerField()
    empty = models.IntegerField(help_text=_("searches with no result at all"))

    class Meta:
        indexes = [models.Index(fields=["institution_id", "month"]), models.Index(fields=["month"])]


class PrivateRelease(models.Model):
    """One quarter's differentially private figures for an institution's mentees (or the network's).

    Drawn once, when the quarter has closed, and never again: every page and CSV shows these same
    noisy values, so asking twice reveals nothing more. The epsilon of each release counts against
    the scope's privacy budget for the academic year (``outcomes.private``)."""

    institution = models.ForeignKey(
        "institutions.Institution", null=True, blank=True, on_delete=models.CASCADE, related_name="private_releases"
    )
    academic_year = models.IntegerField()
    quarter_start = models.DateField()
    epsilon = models.FloatField(help_text=_("privacy loss of this release (pure differential privacy)"))
    values = models.JSONField(help_text=_("the noisy figures, by name"))
    scales = models.JSONField(help_text=_("the noise scale of each figure, for the error bars"))
    released_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "quarter_start"],
                condition=models.Q(institution__isnull=False),
                name="private_release_once_per_institution_quarter",
            ),
            models.UniqueConstraint(
                fields=["quarter_start"],
                condition=models.Q(institution__isnull=True),
                name="private_release_once_per_network_quarter",
            ),
            models.CheckConstraint(condition=models.Q(epsilon__gt=0), name="private_release_epsilon_positive"),
        ]
        ordering = ["quarter_start"]


class PrecomputedRelease(models.Model):
    """One page's figures (the dashboard or a view, for a scope, year, minimum and language) computed
    by the sweep right after the rollups were updated, so a page reads them instead of computing them
    in the request. Valid only for the rollup update it was computed from (``refreshed_at``): after
    the next update a page computes its figures itself until the sweep has stored the new ones."""

    key = models.CharField(max_length=200, unique=True)
    refreshed_at = models.DateTimeField(help_text="the rollup update these figures were computed from")
    payload = models.BinaryField(help_text="the page's figures, serialised")
    seconds = models.FloatField(default=0, help_text="how long computing them took")
