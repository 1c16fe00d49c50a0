"""Mentor participation records, the institution's threshold and the dossier letter (R24, R32)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from mentormemed.core.clock import platform_today
from mentormemed.core.conf import product
from mentormemed.evaluations.selectors import released_evaluations
from mentormemed.outcomes.models import ParticipationThreshold
from mentormemed.outcomes.participation import extra_counts
from mentormemed.profiles.responsiveness import Responsiveness, sort_key
from mentormemed.profiles.responsiveness import of as responsiveness_of
from mentormemed.scheduling.models import Meeting, MeetingStatus

PERIOD_DAYS = 365


@dataclass
class Record:
    """One mentor's participation over the last 12 months. Evaluation figures are aggregates only."""

    mentor: object  # MentorProfile
    mentees: int  # different mentees over the 12 months
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
    most_at_once: int = 0  # the most mentees at the same time in the period (the cap is 3)

    @property
    def name(self) -> str:
        user = self.mentor.membership.user
        return user.get_full_name() or user.display_name

    @property
    def meaningful(self) -> bool:
        return all(self.meets.values())

    @property
    def responsiveness(self) -> Responsiveness:
        return responsiveness_of(self.mentor)

    @property
    def mentees_text(self) -> str:
        """'5 over 12 months, at most 3 at once': a yearly count must never read as a current load."""
        if not self.mentees:
            return gettext("none in 12 months")
        return gettext("%(mentees)s over 12 months, at most %(most)s at once") % {
            "mentees": self.mentees,
            "most": self.most_at_once,
        }


def threshold_for(institution) -> ParticipationThreshold:
    found = ParticipationThreshold.objects.filter(institution=institution).first()
    return found or ParticipationThreshold(institution=institution)


def period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or platform_today()
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
    spans = Relationship.objects.filter(mentor_id__in=ids).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=since))
    mentees, at_once = _mentees(spans.values_list("mentor_id", "mentee_id", "started_at", "ended_at"), since)
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
            most_at_once=at_once.get(m.pk, 0),
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
        # Meaningful participation means mentoring someone and meeting them: a threshold of
        # 0 mentees or 0 meetings still asks for at least one, so an idle mentor never "meets".
        record.meets = {
            "mentees": record.mentees >= max(threshold.min_mentees, 1),
            "modules": record.modules >= threshold.min_modules,
            "cme": record.cme_credits >= threshold.min_cme_credits,
            "meetings": record.meetings >= max(threshold.min_meetings, 1),
        }
        records.append(record)
    return records


def _mentees(rows, since: dt.datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Per mentor: distinct mentees in the period, and the most mentored at the same moment."""
    people: dict[int, set[int]] = defaultdict(set)
    events: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for mentor_id, mentee_id, started, ended in rows:
        people[mentor_id].add(mentee_id)
        events[mentor_id].append((max(started, since), 1))
        if ended is not None:
            events[mentor_id].append((ended, -1))
    peak: dict[int, int] = {}
    for mentor_id, changes in events.items():
        current = best = 0
        for _, change in sorted(changes, key=lambda e: (e[0], e[1])):  # an end before a start at the same time
            current += change
            best = max(best, current)
        peak[mentor_id] = best
    return {k: len(v) for k, v in people.items()}, peak


# ------------------------------------------------------------------ the table: sort, filter, CSV

SORTS = {
    "name": (gettext_lazy("Mentor"), lambda r: (r.mentor.membership.user.last_name.lower(), r.name.lower())),
    "mentees": (gettext_lazy("Mentees"), lambda r: (r.mentees, r.most_at_once)),
    "meetings": (gettext_lazy("Meetings"), lambda r: r.meetings),
    "modules": (gettext_lazy("Modules"), lambda r: r.modules),
    "cme": (gettext_lazy("CME credits"), lambda r: r.cme_credits),
    "evaluation": (gettext_lazy("Mean evaluation"), lambda r: (r.evaluation_mean is None, r.evaluation_mean or 0)),
    "response": (gettext_lazy("Responsiveness"), lambda r: sort_key(r.responsiveness)),
    "threshold": (gettext_lazy("Threshold"), lambda r: (not r.meaningful, r.name.lower())),
}
DESCENDING_FIRST = {"mentees", "meetings", "modules", "cme"}  # more is the interesting end
STATUSES = {
    "": gettext_lazy("Every mentor"),
    "meets": gettext_lazy("Meets the threshold"),
    "not_yet": gettext_lazy("Not yet"),
}


@dataclass(frozen=True)
class TableView:
    sort: str = "name"
    descending: bool = False
    status: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, data) -> TableView:
        sort = data.get("sort", "name")
        status = data.get("status", "")
        return cls(
            sort=sort if sort in SORTS else "name",
            descending=data.get("dir") == "desc",
            status=status if status in STATUSES else "",
            q=" ".join(data.get("q", "").split())[:100],
        )

    def apply(self, records: list[Record]) -> list[Record]:
        from mentormemed.core.text import fold

        words = fold(self.q).split()
        kept = [
            r
            for r in records
            if (not self.status or r.meaningful == (self.status == "meets")) and all(w in fold(r.name) for w in words)
        ]
        kept.sort(key=SORTS[self.sort][1], reverse=self.descending)
        return kept

    def link(self, column: str) -> str:
        """Query string that sorts by ``column`` (toggling the direction when it is the current one)."""
        from urllib.parse import urlencode

        if column == self.sort:
            direction = "asc" if self.descending else "desc"
        else:
            direction = "desc" if column in DESCENDING_FIRST else "asc"
        return "?" + urlencode({"sort": column, "dir": direction, "status": self.status, "q": self.q})

    def aria_sort(self, column: str) -> str:
        if column != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"


CSV_HEADER = [
    "Mentor",
    "E-mail",
    "Mentees over 12 months",
    "Most mentees at once",
    "Meetings held",
    "Modules completed",
    "CME credits",
    "Evaluations received",
    "Mean evaluation (1-7)",
    "Responsiveness",
    "Meets the threshold",
]


def records_csv(records: list[Record]) -> str:
    """The table as the admin filtered and sorted it, through the defusing CSV writer."""
    from mentormemed.core.spreadsheet import csv_text
    from mentormemed.profiles.responsiveness import wording

    rows: list[list] = []
    for r in records:
        rows.append(
            [
                r.name,
                r.mentor.membership.user.email,
                r.mentees,
                r.most_at_once,
                r.meetings,
                r.modules,
                r.cme_credits,
                r.evaluations,
                r.evaluation_mean if r.evaluation_mean is not None else "",
                wording(r.responsiveness),
                "yes" if r.meaningful else "no",
            ]
        )
    return csv_text(CSV_HEADER, rows)


def letter_pdf(*, record: Record, institution) -> bytes:
    from mentormemed.core.pdf import render_pdf

    start, end = period()
    return render_pdf(
        "outcomes/pdf/letter.html",
        {
            "r": record,
            "institution": institution,
            "threshold": threshold_for(institution),
            "start": start,
            "end": end,
            "today": platform_today(),
            "minimum": product.feedback_batch_mentees,
        },
    )
