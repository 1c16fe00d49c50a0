"""Mentor participation records, the institution's threshold and the dossier letter (R24, R32)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from mentormemed.evaluations.selectors import feedback_batch_mentees, released_evaluations
from mentormemed.outcomes.models import ParticipationThreshold
from mentormemed.outcomes.participation import extra_counts
from mentormemed.scheduling.models import Meeting, MeetingStatus

PERIOD_DAYS = 365


@dataclass
class Record:
    """One mentor's participation over the last 12 months. Evaluation figures are aggregates only."""

    mentor: object  # MentorProfile
    mentees: int
    meetings: int  # held meetings
    modules: int
    cme_credits: Decimal
    evaluations: int
    evaluation_mean: float | None  # over released batches only, exactly as the mentor sees it (R18)
    evaluations_released: int  # the evaluations behind that mean
    median_response_hours: float | None
    answer_rate: float | None
    meets: dict[str, bool]
    # Registered by other capabilities (``outcomes.participation``), e.g. group sessions led (R35).
    extras: list[tuple[str, int]] = field(default_factory=list)

    @property
    def name(self) -> str:
        user = self.mentor.membership.user
        return user.get_full_name() or user.display_name

    @property
    def meaningful(self) -> bool:
        return all(self.meets.values())


def threshold_for(institution) -> ParticipationThreshold:
    found = ParticipationThreshold.objects.filter(institution=institution).first()
    return found or ParticipationThreshold(institution=institution)


def period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=PERIOD_DAYS), today


def _held_meetings(mentor_ids: list[int], since: dt.datetime) -> dict[int, int]:
    """Meetings each mentor actually held (marked held, R17) since ``since``."""
    return dict(
        Meeting.objects.filter(relationship__mentor_id__in=mentor_ids, status=MeetingStatus.HELD, starts_at__gte=since)
        .values("relationship__mentor_id")
        .annotate(n=Count("id"))
        .values_list("relationship__mentor_id", "n")
    )


def participation_records(
    *, institution, mentor_ids: list[int] | None = None, today: dt.date | None = None
) -> list[Record]:
    """R24: the record of each mentor of ``institution`` (bounded queries: one per measure)."""
    from mentormemed.evaluations.models import Evaluation
    from mentormemed.mentorships.models import Relationship
    from mentormemed.profiles.models import MentorProfile
    from mentormemed.training.models import CmeClaim, Completion

    start, end = period(today)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_current_timezone())
    mentors = MentorProfile.objects.filter(membership__institution=institution).select_related("membership__user")
    if mentor_ids is not None:
        mentors = mentors.filter(pk__in=mentor_ids)
    mentors = list(mentors.order_by("membership__user__last_name", "membership__user__first_name"))
    ids = [m.pk for m in mentors]
    membership_ids = [m.membership_id for m in mentors]
    mentees = dict(
        Relationship.objects.filter(mentor_id__in=ids)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=since))
        .values("mentor_id")
        .annotate(n=Count("mentee", distinct=True))
        .values_list("mentor_id", "n")
    )
    modules = dict(
        Completion.objects.filter(membership_id__in=membership_ids, attested_at__gte=since)
        .values("membership_id")
        .annotate(n=Count("id"))
        .values_list("membership_id", "n")
    )
    credits = dict(
        CmeClaim.objects.filter(membership_id__in=membership_ids, completed_on__gte=start)
        .values("membership_id")
        .annotate(c=Sum("credits"))
        .values_list("membership_id", "c")
    )
    scores = defaultdict(list)
    for row in (
        Evaluation.objects.filter(mentor_id__in=ids, competency_mean__isnull=False)
        .order_by("submitted_at", "pk")
        .values("mentor_id", "competency_mean", "mentee_id", "submitted_at")
    ):
        scores[row["mentor_id"]].append(row)
    meetings = _held_meetings(ids, since)
    extras = extra_counts(mentor_ids=ids, since=since)
    threshold = threshold_for(institution)
    records = []
    for m in mentors:
        values = scores.get(m.pk, [])
        released = [r["competency_mean"] for r in released_evaluations(values)]  # the mentor's own feedback rule
        record = Record(
            mentor=m,
            mentees=mentees.get(m.pk, 0),
            meetings=meetings.get(m.pk, 0),
            modules=modules.get(m.membership_id, 0),
            cme_credits=credits.get(m.membership_id) or Decimal("0"),
            evaluations=len(values),
            evaluation_mean=round(statistics.fmean(released), 2) if released else None,
            evaluations_released=len(released),
            median_response_hours=m.median_response_hours,
            answer_rate=m.answer_rate,
            meets={},
            extras=extras.get(m.pk, []),
        )
        record.meets = {
            "mentees": record.mentees >= threshold.min_mentees,
            "modules": record.modules >= threshold.min_modules,
            "cme": record.cme_credits >= threshold.min_cme_credits,
            "meetings": record.meetings >= threshold.min_meetings,
        }
        records.append(record)
    return records


def letter_pdf(*, record: Record, institution) -> bytes:
    from django.conf import settings
    from django.template.loader import render_to_string
    from weasyprint import HTML

    start, end = period()
    html = render_to_string(
        "outcomes/pdf/letter.html",
        {
            "r": record,
            "institution": institution,
            "threshold": threshold_for(institution),
            "start": start,
            "end": end,
            "today": timezone.localdate(),
            "minimum": feedback_batch_mentees(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
