"""Taxonomy (data, not code) and, later, mentor and mentee profiles.

Every list here is seeded from ``profiles/data/taxonomy.json`` by a data
migration (sources named in that file) and staff can add values, so new
fields of training or identities need no code.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy


class TaxonomyItem(models.Model):
    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Specialty(TaxonomyItem):
    """A specialty (parent empty) or a subspecialty of one (ACGME-style hierarchy)."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="subspecialties")

    class Meta(TaxonomyItem.Meta):
        verbose_name_plural = "specialties"


class ContentArea(TaxonomyItem):
    description = models.CharField(max_length=300, blank=True)


class Language(TaxonomyItem):
    pass


class Region(TaxonomyItem):
    """A US state/territory or a country: home places people can share."""

    class Kind(models.TextChoices):
        STATE = "state", gettext_lazy("US state or territory")
        COUNTRY = "country", gettext_lazy("Country")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=10)

    class Meta(TaxonomyItem.Meta):
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="region_kind_code_unique")]


class IdentityDimension(TaxonomyItem):
    """One self-described characteristic (race/ethnicity, gender identity, …)."""

    question = models.CharField(max_length=300)
    multiple = models.BooleanField(default=True)
    source = models.CharField(max_length=300, blank=True)


class IdentityOption(models.Model):
    dimension = models.ForeignKey(IdentityDimension, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    write_in = models.BooleanField(default=False)
    no_answer = models.BooleanField(default=False, help_text=gettext_lazy("'Prefer not to say'"))
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["dimension__position", "position"]
        constraints = [models.UniqueConstraint(fields=["dimension", "key"], name="identity_option_key_unique")]

    def __str__(self) -> str:
        return self.name


class FieldOfTraining(TaxonomyItem):
    """Medicine, nursing, pharmacy, … (R2: expansion needs no code)."""


class Scope(models.TextChoices):
    LOCAL = "local", gettext_lazy("Local — mentees of my institution")
    NATIONAL = "national", gettext_lazy("National — mentees of every subscribing institution")


def mentor_membership_is_active(membership) -> bool:
    """What ``MentorProfile.membership_active`` holds for ``membership``."""
    return membership.status == "active" and membership.role == "mentor"


class MentorProfile(models.Model):
    """The mentor's comprehensive profile (R8). Searchable only when complete and consented.

    ``active_mentee_count`` is maintained by the mentorships services under a row
    lock; the database refuses a count above ``capacity`` and a capacity above 3 (R12).
    ``median_response_hours``/``answer_rate``/``response_count`` are maintained by mentorships (R13);
    ``profiles.responsiveness`` defines and words them.
    """

    MAX_CAPACITY = 3

    membership = models.OneToOneField(
        "institutions.Membership", on_delete=models.CASCADE, related_name="mentor_profile"
    )
    # Copies of the membership's institution and status, so search can decide visibility
    # (R1, R9) from this row and one narrow index instead of joining memberships on every
    # query. Set when the profile is created (a membership never changes institution);
    # ``membership_active`` is rewritten by ``institutions.services.membership_set_status``
    # through ``profiles.services.mentor_membership_sync``.
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+", editable=False
    )
    membership_active = models.BooleanField(
        default=False,
        editable=False,
        help_text=gettext_lazy("The membership is an active mentor membership (denormalised)"),
    )
    # Whether the request gate lets this mentor accept now (R7: every required onboarding step with an
    # ``unready`` rule done, i.e. required training attested). A copy, like ``membership_active``, so
    # recommendations and suggestions read it from the row instead of building every mentor's missing
    # training per statement; rewritten by ``profiles.readiness.refresh_readiness`` whenever a
    # completion or a module changes, and by the sweep as a repair. The request gate itself re-checks.
    accept_ready = models.BooleanField(
        default=False,
        editable=False,
        help_text=gettext_lazy("Required training done, so the mentor can accept requests (denormalised)"),
    )
    photo = models.ImageField(upload_to="mentor-photos/", blank=True)
    # Not a field: set on recommendation candidates by matching.selectors (their keys among the wishes).
    matched_keys: set[str]
    bio = models.TextField(blank=True)
    academic_rank = models.CharField(max_length=80, blank=True)
    title = models.CharField(max_length=200, blank=True)
    specialties = models.ManyToManyField(Specialty, blank=True, related_name="mentors")
    content_areas = models.ManyToManyField(ContentArea, blank=True, related_name="mentors")
    languages = models.ManyToManyField(Language, blank=True, related_name="mentor_speakers")
    native_language = models.ForeignKey(
        Language, null=True, blank=True, on_delete=models.SET_NULL, related_name="native_mentors"
    )
    home_state = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    home_country = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.LOCAL)
    offers_mentoring = models.BooleanField(default=True)
    offers_sponsorship = models.BooleanField(default=False)
    capacity = models.PositiveSmallIntegerField(default=MAX_CAPACITY)
    active_mentee_count = models.PositiveSmallIntegerField(default=0)
    accepting_new = models.BooleanField(default=True)
    availability_statement = models.CharField(max_length=300, blank=True)
    # Languages and home place are identity characteristics too (R8): shared or private.
    languages_shared = models.BooleanField(default=True)
    home_shared = models.BooleanField(default=True)
    completeness = models.PositiveSmallIntegerField(
        default=0, help_text=gettext_lazy("Percent of the required items filled in")
    )
    search_consent = models.BooleanField(default=False)
    search_consent_at = models.DateTimeField(null=True, blank=True)
    is_complete = models.BooleanField(default=False)
    suspended_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("Suspended from search and requests")
    )
    suspended_reason = models.CharField(max_length=300, blank=True)
    median_response_hours = models.FloatField(null=True, blank=True)
    answer_rate = models.FloatField(null=True, blank=True)
    response_count = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Requests decided in the responsiveness window")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1, capacity__lte=3), name="mentor_capacity_1_to_3"),
            models.CheckConstraint(
                condition=models.Q(active_mentee_count__lte=models.F("capacity")),
                name="mentor_active_within_capacity",
            ),
        ]
        indexes = [
            # Every search reads the searchable mentors from this partial index alone (an
            # index-only scan on PostgreSQL): institution and scope decide R9 visibility,
            # response time and id are the tie-breakers of every sort, the last three say
            # whether the mentor has room (R12: "available" filter, recommendations); the
            # included R7 gate copy, answer rate and response count let recommendations (their
            # pre-score reads every field ``explain`` needs) and a need's suggestions ("with room,
            # ready to accept, fastest first") read it alone too (PostgreSQL only).
            models.Index(
                fields=[
                    "institution",
                    "scope",
                    "median_response_hours",
                    "id",
                    "accepting_new",
                    "active_mentee_count",
                    "capacity",
                ],
                include=["accept_ready", "answer_rate", "response_count"],
                condition=models.Q(
                    is_complete=True, search_consent=True, suspended_at__isnull=True, membership_active=True
                ),
                name="mentor_searchable",
            )
        ]

    def __str__(self) -> str:
        return str(self.membership.user)

    def save(self, *args: Any, **kwargs: Any) -> None:  # Model.save's own signature
        if self._state.adding and self.membership_id:
            self.institution_id = self.membership.institution_id
            self.membership_active = mentor_membership_is_active(self.membership)
            from mentormemed.profiles.readiness import membership_ready

            self.accept_ready = membership_ready(self.membership_id)
        super().save(*args, **kwargs)

    @property
    def is_full(self) -> bool:
        return self.active_mentee_count >= self.capacity or not self.accepting_new


class MentorSearchText(models.Model):
    """Name, title, bio, specialties and areas of a mentor in one lower-cased text (R10 free text).

    Its own narrow table rather than a column of the wide profile row: a search for common
    words has to test every mentor's text, and scanning two columns is about twice as fast
    as scanning the profile rows (docs/search-scaling.md). Written only by
    ``profiles.services.refresh_mentor``; a trigram index (PostgreSQL) serves rarer words.
    """

    mentor = models.OneToOneField(
        MentorProfile, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    text = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search text of mentor {self.mentor_id}"


class SearchWord(models.Model):
    """One word of at least four letters that some mentor's free text contains: the vocabulary a
    typed word is corrected against (R10 typos: "okonkow" → "okonkwo").

    Comparing a typed word with every mentor's whole text costs ~0.1 ms a mentor; comparing it
    with the distinct words (a few thousand, trigram-indexed on PostgreSQL) costs a millisecond.
    Written and pruned with the texts by ``profiles.vocabulary``: a word no
    text contains any more is removed, so an erased person's name does not stay here.
    """

    word = models.CharField(max_length=64, primary_key=True)

    def __str__(self) -> str:
        return self.word


class TrainingLevel(models.TextChoices):
    # In ladder order (programs' near-peer rule compares positions): premed students first (R2 premed track).
    PREMED = "PREMED", gettext_lazy("Premed")
    MS1 = "MS1", gettext_lazy("MS1")
    MS2 = "MS2", gettext_lazy("MS2")
    MS3 = "MS3", gettext_lazy("MS3")
    MS4 = "MS4", gettext_lazy("MS4")
    PGY1 = "PGY1", gettext_lazy("PGY-1")
    PGY2 = "PGY2", gettext_lazy("PGY-2")
    PGY3 = "PGY3", gettext_lazy("PGY-3")
    PGY4 = "PGY4", gettext_lazy("PGY-4")
    PGY5 = "PGY5", gettext_lazy("PGY-5")
    PGY6 = "PGY6", gettext_lazy("PGY-6")
    PGY7 = "PGY7", gettext_lazy("PGY-7")
    FELLOW = "FELLOW", gettext_lazy("Fellow")


class MenteeProfile(models.Model):
    """The mentee's profile: training level, ranked areas of need, affinities that matter."""

    membership = models.OneToOneField(
        "institutions.Membership", on_delete=models.CASCADE, related_name="mentee_profile"
    )
    training_level = models.CharField(max_length=10, choices=TrainingLevel.choices, blank=True)
    bio = models.TextField(blank=True)
    specialty_interests = models.ManyToManyField(Specialty, blank=True, related_name="interested_mentees")
    languages = models.ManyToManyField(Language, blank=True, related_name="mentee_speakers")
    home_state = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    home_country = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    phone = models.CharField(max_length=40, blank=True)
    # Shared: used for matching and shown to mentors the mentee contacts; private: neither (R8).
    languages_shared = models.BooleanField(default=False)
    home_shared = models.BooleanField(default=False)
    consent_matching = models.BooleanField(default=False)
    consent_analytics = models.BooleanField(default=False)
    consent_research = models.BooleanField(default=False)
    is_complete = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.membership.user)


class MenteeNeed(models.Model):
    """One area of need, ranked (1 = most important)."""

    profile = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="needs")
    content_area = models.ForeignKey(ContentArea, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "content_area"], name="mentee_need_unique"),
        ]


class AffinityPreference(models.Model):
    """How much sharing a characteristic matters to a mentee (0 = not at all … 3 = a lot).

    ``dimension`` is an IdentityDimension key or one of ``language``, ``home_state``,
    ``home_country``, ``specialty``.
    """

    profile = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="affinities")
    dimension = models.CharField(max_length=80)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "dimension"], name="affinity_unique"),
            models.CheckConstraint(condition=models.Q(weight__lte=3), name="affinity_weight_0_3"),
        ]


class IdentityValue(models.Model):
    """A self-described identity characteristic of a person (R8).

    ``shared`` values are shown and searchable; private values are never used in
    any result or count anyone can observe.
    """

    membership = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="identity_values")
    option = models.ForeignKey(IdentityOption, on_delete=models.PROTECT, related_name="values")
    write_in = models.CharField(max_length=200, blank=True)
    shared = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "option"], name="identity_value_unique"),
        ]
        indexes = [models.Index(fields=["option", "shared"])]
