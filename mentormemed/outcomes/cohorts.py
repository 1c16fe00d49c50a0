"""The cohorts the outcomes figures are cut by (R23): training-level groups and eligibility bases.

A leaf module: the rollups, the selectors and the regression all read it, and it reads none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from mentormemed.institutions.models import Institution

QS = TypeVar("QS", bound="QuerySet[Any, Any]")

UME = ["MS1", "MS2", "MS3", "MS4"]
GME = ["PGY1", "PGY2", "PGY3", "PGY4", "PGY5", "PGY6", "PGY7", "FELLOW"]
BASES = [
    ("urim", gettext_lazy("Underrepresented in medicine")),
    ("first_generation", gettext_lazy("First-generation college graduate")),
    ("economically_disadvantaged", gettext_lazy("Economically disadvantaged")),
]


# The early-relationship measures of the success analysis look at a mentorship's first 13 weeks,
# and only at mentorships at least that old (a younger one has not had the chance).
EARLY_DAYS = 91


class Cohort(Protocol):
    @property
    def level(self) -> str: ...
    @property
    def basis(self) -> str: ...


def cohort_q(f: Cohort) -> Q:
    """The chosen cohort on a rollup (its rows are consenting mentees only)."""
    q = Q()
    if f.level == "ume":
        q &= Q(training_level__in=UME)
    elif f.level == "gme":
        q &= Q(training_level__in=GME)
    if f.basis:
        q &= Q(**{f.basis: True})
    return q


def live_cohort_q(prefix: str, f: Cohort) -> Q:
    """The chosen cohort of consenting mentees on a source table, reached through ``prefix``."""
    q = Q(**{f"{prefix}mentee_profile__consent_analytics": True})
    if f.level:
        q &= Q(**{f"{prefix}mentee_profile__training_level__in": UME if f.level == "ume" else GME})
    if f.basis:
        q &= Q(**{f"{prefix}eligibility__{f.basis}": True})
    return q


def scoped(qs: QS, institution: Institution | None) -> QS:
    """Requests and relationships count for an institution where the mentee or the mentor is theirs."""
    if institution is None:
        return qs
    return qs.filter(Q(mentee_institution_id=institution.pk) | Q(mentor_institution_id=institution.pk))
