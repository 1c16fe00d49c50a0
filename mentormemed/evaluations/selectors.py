"""Reads about evaluations and surveys. Each takes the acting membership or mentor profile."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from django.db.models import Q, QuerySet
from django.utils import timezone

from mentormemed.core.clock import platform_today
from mentormemed.core.conf import product
from mentormemed.core.languages import reader_language, source_language
from mentormemed.core.translations import translation_of_earlier_version, translations_by_language
from mentormemed.core.types import JSONDict
from mentormemed.evaluations.models import (
    Evaluation,
    Instrument,
    InstrumentVersion,
    InstrumentVersionTranslation,
    SurveyResponse,
)
from mentormemed.evaluations.schedule import Due, evaluation_due, yearly_due

if TYPE_CHECKING:
    from mentormemed.institutions.models import Membership
    from mentormemed.mentorships.models import Relationship
    from mentormemed.profiles.models import MentorProfile

# A ``values()`` row of an evaluation: the keys the caller selected (answers are JSON).
Row = TypeVar("Row", bound=Mapping[str, Any])


@dataclass(frozen=True)
class InstrumentText:
    """An instrument version as a reader reads it: translated by staff into their language, else English.

    ``items`` are the version's items with their wording replaced (``text``, ``anchors``) and a
    ``labels`` map from each source choice to its label; keys, types and choice values stay the
    source's, so answers are stored and scored exactly as in English.
    """

    name: str
    description: str
    intro: str
    language: str
    requested: str
    items: list[JSONDict] = field(default_factory=list)

    @property
    def translated(self) -> bool:
        return self.language != source_language()

    @property
    def fallback(self) -> bool:
        return self.requested != self.language


def instrument_text(*, version: InstrumentVersion, language: str | None = None) -> InstrumentText:
    """The version's wording in ``language`` (default: the request's), falling back to English.

    Only a translation of this very version counts: one written for an earlier version is never
    shown for a later one, whose items may differ.
    """
    requested = reader_language(language)
    instrument = version.instrument
    found = None
    if requested != source_language():
        found = InstrumentVersionTranslation.objects.filter(version=version, language=requested).first()
    if found is None:
        return InstrumentText(
            name=instrument.name,
            description=instrument.description,
            intro=version.intro,
            language=source_language(),
            requested=requested,
            items=[dict(item) for item in version.items],
        )
    items = []
    for item in version.items:
        wording = (found.items or {}).get(item["key"], {})
        local = dict(item, text=wording.get("text") or item["text"])
        if item.get("anchors"):
            local["anchors"] = {n: (wording.get("anchors") or {}).get(n) or a for n, a in item["anchors"].items()}
        local["labels"] = {c: (wording.get("choices") or {}).get(c) or c for c in item.get("choices", [])}
        items.append(local)
    return InstrumentText(
        name=found.name,
        description=found.description or instrument.description,
        intro=found.intro or version.intro,
        language=requested,
        requested=requested,
        items=items,
    )


def translations_of(instrument: Instrument) -> dict[str, InstrumentVersionTranslation]:
    """The current version's translations by language (staff pages)."""
    return translations_by_language(InstrumentVersionTranslation, instrument.current_version_id)


def earlier_translation(version: InstrumentVersion, language: str) -> InstrumentVersionTranslation | None:
    """The newest translation into ``language`` of an earlier version of the same instrument, if any."""
    return translation_of_earlier_version(
        InstrumentVersionTranslation, version, language, parent="instrument", number="number"
    )


@dataclass(frozen=True)
class OpenEvaluation:
    relationship: Relationship
    due: Due

    @property
    def mentor_name(self) -> str:
        return self.relationship.mentor.membership.user.display_name


def _relationships_in_window(today: dt.date) -> QuerySet[Relationship]:
    """Relationships that may have an evaluation open on ``today``: running, or ended within the exit window."""
    from mentormemed.mentorships.models import Relationship

    zone = timezone.get_current_timezone()
    earliest_end = dt.datetime.combine(
        today - dt.timedelta(days=product.evaluation_exit_window_days + 1), dt.time.min, tzinfo=zone
    )
    latest_start = dt.datetime.combine(today, dt.time.max, tzinfo=zone)
    return Relationship.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=earliest_end)).filter(
        started_at__lte=latest_start
    )


def open_evaluations(*, mentee: Membership, today: dt.date | None = None) -> list[OpenEvaluation]:
    """R18: evaluations ``mentee`` owes today, oldest due date first (overdue ones flagged)."""
    today = today or platform_today()
    relationships = list(
        _relationships_in_window(today).filter(mentee=mentee).select_related("mentor__membership__user")
    )
    return _unanswered(relationships, today)


def _unanswered(relationships: list[Relationship], today: dt.date) -> list[OpenEvaluation]:
    candidates = []
    for rel in relationships:
        due = evaluation_due(started_at=rel.started_at, ended_at=rel.ended_at, today=today)
        if due is not None:
            candidates.append(OpenEvaluation(rel, due))
    if not candidates:
        return []
    done = set(
        Evaluation.objects.filter(relationship__in=[c.relationship.pk for c in candidates]).values_list(
            "relationship_id", "occasion", "sequence"
        )
    )
    open_ = [c for c in candidates if (c.relationship.pk, c.due.occasion, c.due.sequence) not in done]
    return sorted(open_, key=lambda c: c.due.due_on)


def all_open_evaluations(*, today: dt.date | None = None) -> list[OpenEvaluation]:
    """Every open evaluation of mentees whose membership is active (for reminders)."""
    today = today or platform_today()
    relationships = (
        _relationships_in_window(today)
        .filter(mentee__status="active")
        .select_related("mentee__user", "mentor__membership__user")
    )
    return _unanswered(list(relationships), today)


def find_open_evaluation(
    *, mentee: Membership, relationship_id: int, today: dt.date | None = None
) -> OpenEvaluation | None:
    return next((o for o in open_evaluations(mentee=mentee, today=today) if o.relationship.pk == relationship_id), None)


@dataclass(frozen=True)
class OpenSurvey:
    instrument: Instrument
    due: Due


def _survey_dues(membership: Membership, today: dt.date) -> list[tuple[str, int]]:
    """(instrument kind, offset months) of the yearly surveys this role answers."""
    dues = [("program_feedback", 6)]
    if membership.role == "mentee":
        dues.insert(0, ("career_update", 0))
    return dues


def open_surveys(*, membership: Membership | None, today: dt.date | None = None) -> list[OpenSurvey]:
    """R19: yearly career updates (mentees) and program feedback (mentees and mentors) not yet answered."""
    today = today or platform_today()
    if membership is None or membership.role not in ("mentee", "mentor"):
        return []
    instruments = {i.kind: i for i in Instrument.objects.select_related("current_version")}
    joined = platform_today(membership.created_at)
    found = []
    for kind, offset in _survey_dues(membership, today):
        due = yearly_due(joined=joined, today=today, offset_months=offset)
        instrument = instruments.get(kind)
        if due is not None and instrument is not None and instrument.current_version_id:
            found.append(OpenSurvey(instrument, due))
    if not found:
        return []
    answered = set(SurveyResponse.objects.filter(membership=membership).values_list("instrument__kind", "occasion"))
    return [s for s in found if (s.instrument.kind, s.due.occasion) not in answered]


def submitted_evaluations(*, mentee: Membership) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(mentee=mentee).select_related("mentor__membership__user").order_by("-submitted_at")


# ------------------------------------------------------------------ what a mentor may see


def released_evaluations(rows: list[Row], *, now: dt.datetime | None = None) -> list[Row]:
    """The evaluations a mentor's aggregates may use (R18), from ``rows`` in submission order.

    Evaluations older than the delay are cut, in order, into batches that each hold answers
    from at least ``product.feedback_batch_mentees`` different mentees; only whole batches count. An
    aggregate therefore always covers several mentees, and two successive views differ by a
    whole batch of several mentees, never by one person's answers."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=product.feedback_delay_days)
    need = product.feedback_batch_mentees
    released: list[Row] = []
    batch: list[Row] = []
    for row in rows:
        if row["submitted_at"] > cutoff:
            break
        batch.append(row)
        if len({r["mentee_id"] for r in batch}) >= need:
            released += batch
            batch = []
    return released


class FeedbackItem(TypedDict):
    """One scale item's mean over the released evaluations."""

    key: str
    text: str
    mean: float
    n: int


class _ItemValues(TypedDict):
    text: str
    values: list[int]
    mentees: set[int]


@dataclass
class FeedbackSummary:
    responses: int  # all submitted responses (shown: a count reveals no one's answers)
    released: int  # responses the aggregates are computed over (whole batches)
    mentees: int  # distinct mentees behind the released responses
    minimum: int  # distinct mentees a batch must hold
    competency_mean: float | None
    overall_mean: float | None
    items: list[FeedbackItem]
    waiting: int = 0  # responses not yet in a released batch

    @property
    def visible(self) -> bool:
        return self.released > 0


def mentor_feedback(*, mentor: MentorProfile) -> FeedbackSummary:
    """R18: aggregates only, over whole batches of several mentees (``released_evaluations``).
    Free-text answers are never shown to mentors."""
    rows = list(
        Evaluation.objects.filter(mentor=mentor)
        .order_by("submitted_at", "pk")
        .values("answers", "competency_mean", "overall", "version__items", "mentee_id", "submitted_at")
    )
    need = product.feedback_batch_mentees
    batch = released_evaluations(rows)
    if not batch:
        return FeedbackSummary(len(rows), 0, 0, need, None, None, [], waiting=len(rows))
    items: dict[str, _ItemValues] = {}
    for row in batch:
        for item in row["version__items"]:
            if item["type"] != "scale":
                continue
            value = row["answers"].get(item["key"])
            if isinstance(value, int):
                entry = items.setdefault(item["key"], {"text": item["text"], "values": [], "mentees": set()})
                entry["values"].append(value)
                entry["mentees"].add(row["mentee_id"])
    item_rows: list[FeedbackItem] = [
        {"key": key, "text": v["text"], "mean": round(statistics.fmean(v["values"]), 1), "n": len(v["values"])}
        for key, v in items.items()
        if len(v["mentees"]) >= need
    ]
    means = [r["competency_mean"] for r in batch if r["competency_mean"] is not None]
    overall = [r["overall"] for r in batch if r["overall"] is not None]
    return FeedbackSummary(
        responses=len(rows),
        released=len(batch),
        mentees=len({r["mentee_id"] for r in batch}),
        minimum=need,
        competency_mean=round(statistics.fmean(means), 2) if means else None,
        overall_mean=round(statistics.fmean(overall), 2) if overall else None,
        items=item_rows,
        waiting=len(rows) - len(batch),
    )
