"""Search index, search log (R11) and recommendation exposure (R27).

``MentorFacet`` is a denormalised index of each mentor's *shared* characteristics
(R8): one row per searchable value, e.g. ``area:research`` or
``id:race_ethnicity:black``. Private values are never written here, so no search,
count or ranking that reads this table can be influenced by them.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class MentorFacet(models.Model):
    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="facets")
    key = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mentor", "key"], name="mentor_facet_unique")]
        indexes = [models.Index(fields=["key", "mentor"], name="mentor_facet_key_mentor")]

    def __str__(self) -> str:
        return f"{self.mentor_id}:{self.key}"


class SearchLog(models.Model):
    """One search or recommendation view (R11): who (as role, training level, basis), what, how many."""

    class Kind(models.TextChoices):
        SEARCH = "search", gettext_lazy("Search")
        RECOMMENDATIONS = "recommendations", gettext_lazy("Recommendations")

    viewer = models.ForeignKey(
        "institutions.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10)
    training_level = models.CharField(max_length=10, blank=True)
    eligibility_bases = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SEARCH)
    filters = models.JSONField(default=dict, blank=True)
    result_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["institution", "created_at"], name="searchlog_inst_created")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.role} at {self.created_at:%Y-%m-%d %H:%M}"


class SearchEvent(models.Model):
    """What happened after a search: a mentor's profile was opened or a request was sent."""

    class Kind(models.TextChoices):
        OPENED = "opened", gettext_lazy("Opened profile")
        REQUESTED = "requested", gettext_lazy("Sent request")

    search = models.ForeignKey(SearchLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10)
    training_level = models.CharField(max_length=10, blank=True)
    eligibility_bases = models.JSONField(default=list, blank=True)
    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="search_events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["institution", "created_at"], name="searchevent_inst_created")]


class MentorExposure(models.Model):
    """How often a mentor was shown as a recommendation, per ISO week (R27 exposure balancing)."""

    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text=gettext_lazy("Monday of the week"))
    shown = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mentor", "week"], name="mentor_exposure_week_unique")]
        indexes = [models.Index(fields=["week", "mentor"], name="exposure_week_mentor")]
