"""The health signal of a relationship (R36): one definition, computed for many relationships at once.

Facts only — dates and counts of meetings and messages, cancellations and no-shows on each side,
check-in answers, the evaluation that is due, milestone progress — never a message, goal or note
(R30). Each reason is a plain sentence with a severity, a translation read in whoever's language shows it
(stored as the sweep writes it); reasons drawn from a check-in answer are
*private*: the pair never sees them (an answer is seen only by the side that gave it), the admins'
at-risk list does. ``assess`` runs a fixed number of queries whatever the number of relationships.

Milestones come from programs: a capability that keeps milestones registers
``register_milestone_source(fn)`` with ``fn(relationship_ids) -> {id: Milestones}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_stubs_ext import StrOrPromise, StrPromise

from mentormemed.care.models import Block, CarePolicy, CheckInAnswer, Going, HealthState, NoShow, Rhythm
from mentormemed.core.clock import platform_today
from mentormemed.evaluations.models import Evaluation
from mentormemed.evaluations.schedule import evaluation_due
from mentormemed.mentorships.models import Message, Relationship
from mentormemed.scheduling.models import Meeting, MeetingStatus

CHECKIN_MEMORY_DAYS = 120  # a check-in answer older than this no longer colours the signal
SEVERITY = {HealthState.HEALTHY: 0, HealthState.DRIFTING: 1, HealthState.AT_RISK: 2}


@dataclass(frozen=True)
class Milestones:
    done: int
    total: int
    overdue: int = 0


MilestoneSource = Callable[[list[int]], dict[int, Milestones]]
_milestone_sources: list[MilestoneSource] = []


def register_milestone_source(source: MilestoneSource) -> None:
    """Programs (R34) tell the signal how far each relationship is through its milestones."""
    _milestone_sources.append(source)


REASON_CODES = frozenset(
    {"paused", "quiet", "evaluation_overdue", "milestones_overdue"}
    | {
        f"{side}_{what}"
        for side in ("mentee", "mentor")
        for what in ("no_shows", "cancelled", "going_poorly", "going_mixed", "meets_less")
    }
)


@dataclass(frozen=True)
class Reason:
    severity: str  # drifting | at_risk
    code: str  # what it says (``reason_text``): stored with its params, worded for each reader
    params: dict = field(default_factory=dict)
    private: bool = False  # from a check-in answer: admins only
    stored: str = ""  # a reason stored before codes: its sentence as stored

    @property
    def text(self) -> StrOrPromise:
        """Lazy: worded when read, in the reader's language."""
        return reason_text(self.code, self.params) if self.code else self.stored

    def as_json(self) -> dict:
        # ``text`` (the default language) keeps the stored row readable on its own; pages word it from the code.
        return {
            "severity": self.severity,
            "code": self.code,
            "params": self.params,
            "text": str(self.text),
            "private": self.private,
        }


@dataclass
class Facts:
    started_at: dt.datetime
    last_meeting_at: dt.datetime | None = None
    next_meeting_at: dt.datetime | None = None
    last_message_at: dt.datetime | None = None
    cancelled: dict[str, int] = field(default_factory=lambda: {"mentee": 0, "mentor": 0})
    no_shows: dict[str, int] = field(default_factory=lambda: {"mentee": 0, "mentor": 0})
    checkins: dict[str, dict] = field(default_factory=dict)  # side -> {"going", "rhythm", "at"}
    evaluation: str = ""  # "", "due", "overdue"
    milestones: Milestones | None = None
    paused: bool = False
    window_days: int = 90

    @property
    def last_contact_at(self) -> dt.datetime | None:
        return max((d for d in (self.last_meeting_at, self.last_message_at) if d), default=None)

    def as_json(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "started_at": iso(self.started_at),
            "last_meeting_at": iso(self.last_meeting_at),
            "next_meeting_at": iso(self.next_meeting_at),
            "last_message_at": iso(self.last_message_at),
            "cancelled": self.cancelled,
            "no_shows": self.no_shows,
            "checkins": self.checkins,
            "evaluation": self.evaluation,
            "milestones": None if self.milestones is None else vars(self.milestones),
            "paused": self.paused,
            "window_days": self.window_days,
        }


@dataclass
class Signal:
    state: str
    reasons: list[Reason]
    facts: Facts
    is_new: bool = False

    def for_pair(self) -> Signal:
        """The signal the two people see: without the reasons drawn from check-in answers."""
        reasons = [r for r in self.reasons if not r.private]
        facts = Facts(**{**vars(self.facts), "checkins": {}})
        return Signal(_state(reasons, facts, self.is_new), reasons, facts, self.is_new)

    @property
    def summary(self) -> StrPromise:
        """One plain line, e.g. "no meeting in 47 days; last message 30 days ago" (lazy: worded when read)."""
        if self.reasons:
            return _joined(*(r.text for r in self.reasons))
        return contact_line(self.facts, timezone.now())


def _days(now: dt.datetime, then: dt.datetime) -> int:
    return max((now - then).days, 0)


def _joined(*parts) -> StrPromise:
    """``a; b; c`` of lazy parts, still lazy."""
    return format_lazy("; ".join(["{}"] * len(parts)), *parts)


def _counted(text: StrPromise, n: int, **values) -> StrPromise:
    """``text``: an ``ngettext_lazy`` with ``{n}`` (and ``values``) placeholders, filled in."""
    return format_lazy(text, n=n, **values)


def _ago(days: int) -> StrPromise:
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return _counted(ngettext_lazy("{n} day ago", "{n} days ago", days), days)


def _last_message(facts: Facts, now: dt.datetime) -> StrPromise:
    if not facts.last_message_at:
        return _("no messages yet")
    return format_lazy(_("last message {ago}"), ago=_ago(_days(now, facts.last_message_at)))


def contact_line(facts: Facts, now: dt.datetime) -> StrPromise:
    meeting = (
        format_lazy(_("last meeting {ago}"), ago=_ago(_days(now, facts.last_meeting_at)))
        if facts.last_meeting_at
        else _("no meeting held yet")
    )
    return _joined(meeting, _last_message(facts, now))


def policies_for(institution_ids: Iterable[int]) -> dict[int, CarePolicy]:
    ids = set(institution_ids)
    found = {p.institution_id: p for p in CarePolicy.objects.filter(institution_id__in=ids)}
    return {i: found.get(i) or CarePolicy(institution_id=i) for i in ids}


def assess(relationships: list[Relationship], *, now: dt.datetime | None = None) -> dict[int, Signal]:
    """The signal of each relationship (``select_related("mentee", "mentor__membership")`` expected)."""
    now = now or timezone.now()
    if not relationships:
        return {}
    ids = [r.pk for r in relationships]
    policies = policies_for(r.mentee.institution_id for r in relationships)
    window = max(p.no_show_window_days for p in policies.values())
    since = now - dt.timedelta(days=window)
    facts = {r.pk: Facts(started_at=r.started_at, window_days=window) for r in relationships}
    _meeting_facts(facts, ids, now, since)
    _message_facts(facts, ids)
    _no_show_facts(facts, ids, since)
    _checkin_facts(facts, ids, now)
    _evaluation_facts(facts, relationships, now)
    _block_facts(facts, relationships)
    for source in _milestone_sources:
        for rel_id, progress in source(ids).items():
            if rel_id in facts:
                facts[rel_id].milestones = progress
    signals = {}
    for r in relationships:
        f = facts[r.pk]
        policy = policies[r.mentee.institution_id]
        reasons = _reasons(f, policy, now)
        is_new = f.last_contact_at is None and _days(now, f.started_at) < policy.drift_days
        signals[r.pk] = Signal(_state(reasons, f, is_new), reasons, f, is_new)
    return signals


def _state(reasons: list[Reason], facts: Facts, is_new: bool) -> str:
    if facts.paused:
        return HealthState.PAUSED
    if reasons:
        return max((r.severity for r in reasons), key=lambda s: SEVERITY[s])
    return HealthState.NEW if is_new else HealthState.HEALTHY


def _reasons(f: Facts, policy: CarePolicy, now: dt.datetime) -> list[Reason]:
    out: list[Reason] = []
    if f.paused:
        out.append(Reason(HealthState.AT_RISK, "paused"))
    quiet = _days(now, f.last_contact_at or f.started_at)
    if f.next_meeting_at is None and quiet >= policy.drift_days:
        severity = HealthState.AT_RISK if quiet >= policy.at_risk_days else HealthState.DRIFTING
        params = {
            "meeting_days": _days(now, f.last_meeting_at) if f.last_meeting_at else None,
            "message_days": _days(now, f.last_message_at) if f.last_message_at else None,
        }
        out.append(Reason(severity, "quiet", params))
    for side in ("mentee", "mentor"):
        shows, cancelled, days = f.no_shows[side], f.cancelled[side], f.window_days
        if shows:
            severity = HealthState.AT_RISK if shows >= policy.no_show_prompt_at else HealthState.DRIFTING
            out.append(Reason(severity, f"{side}_no_shows", {"n": shows, "days": days}))
        if cancelled >= 2:
            out.append(Reason(HealthState.DRIFTING, f"{side}_cancelled", {"n": cancelled, "days": days}))
    if f.evaluation == "overdue":
        out.append(Reason(HealthState.DRIFTING, "evaluation_overdue"))
    if f.milestones and f.milestones.overdue:
        m = f.milestones
        out.append(
            Reason(HealthState.DRIFTING, "milestones_overdue", {"n": m.overdue, "done": m.done, "total": m.total})
        )
    for side, answer in f.checkins.items():
        if answer["going"] == Going.POORLY:
            out.append(Reason(HealthState.AT_RISK, f"{side}_going_poorly", private=True))
        elif answer["going"] == Going.MIXED:
            out.append(Reason(HealthState.DRIFTING, f"{side}_going_mixed", private=True))
        if answer.get("rhythm") == Rhythm.NO:
            out.append(Reason(HealthState.DRIFTING, f"{side}_meets_less", private=True))
    return out


def reason_text(code: str, params: dict) -> StrPromise:
    """The sentence of a reason, lazy: worded in the language of whoever reads it (a nudge's recipient,
    the admin on the at-risk list). ``code`` and ``params`` are what the sweep stores."""
    p = params
    if code == "paused":
        return _("contact is paused: one side blocked the other")
    if code == "quiet":
        meeting = (
            _counted(
                ngettext_lazy("no meeting in {n} day", "no meeting in {n} days", p["meeting_days"]), p["meeting_days"]
            )
            if p.get("meeting_days") is not None
            else _("no meeting held yet")
        )
        message = (
            format_lazy(_("last message {ago}"), ago=_ago(p["message_days"]))
            if p.get("message_days") is not None
            else _("no messages yet")
        )
        return _joined(meeting, message, _("none booked"))
    n = p.get("n", 0)
    counted = {
        "mentee_no_shows": ngettext_lazy(
            "the mentee did not show for {n} meeting in {days} days",
            "the mentee did not show for {n} meetings in {days} days",
            n,
        ),
        "mentor_no_shows": ngettext_lazy(
            "the mentor did not show for {n} meeting in {days} days",
            "the mentor did not show for {n} meetings in {days} days",
            n,
        ),
        "mentee_cancelled": ngettext_lazy(
            "the mentee cancelled {n} meeting in {days} days", "the mentee cancelled {n} meetings in {days} days", n
        ),
        "mentor_cancelled": ngettext_lazy(
            "the mentor cancelled {n} meeting in {days} days", "the mentor cancelled {n} meetings in {days} days", n
        ),
        "milestones_overdue": ngettext_lazy(
            "{n} milestone overdue ({done} of {total} done)", "{n} milestones overdue ({done} of {total} done)", n
        ),
    }
    if code in counted:
        return _counted(counted[code], n, **{k: v for k, v in p.items() if k != "n"})
    fixed = {
        "evaluation_overdue": _("the mentee's evaluation is overdue"),
        "mentee_going_poorly": _("the mentee's latest check-in: not going well"),
        "mentor_going_poorly": _("the mentor's latest check-in: not going well"),
        "mentee_going_mixed": _("the mentee's latest check-in: mixed"),
        "mentor_going_mixed": _("the mentor's latest check-in: mixed"),
        "mentee_meets_less": _("the mentee says they meet less often than agreed"),
        "mentor_meets_less": _("the mentor says they meet less often than agreed"),
    }
    return fixed[code]


def stored_reasons(rows: list) -> list[Reason]:
    """The reasons the sweep stored on a ``RelationshipHealth``, to be worded for whoever reads them.

    Rows stored before reasons carried a code keep the sentence they were stored with."""
    out = []
    for row in rows:
        if row.get("code") in REASON_CODES:
            out.append(Reason(row["severity"], row["code"], row.get("params") or {}, bool(row.get("private"))))
        else:
            out.append(Reason(row["severity"], "", {}, bool(row.get("private")), stored=row.get("text", "")))
    return out


def _meeting_facts(facts: dict[int, Facts], ids: list[int], now: dt.datetime, since: dt.datetime) -> None:
    cancelled = Q(status=MeetingStatus.CANCELLED, cancelled_at__gte=since)
    rows = (
        Meeting.objects.filter(relationship_id__in=ids)
        .values("relationship_id")
        .annotate(
            last_held=Max("starts_at", filter=Q(status=MeetingStatus.HELD)),
            next_at=Min("starts_at", filter=Q(status=MeetingStatus.SCHEDULED, starts_at__gt=now)),
            by_mentee=Count("pk", filter=cancelled & Q(cancelled_by_id=F("relationship__mentee__user_id"))),
            by_mentor=Count("pk", filter=cancelled & Q(cancelled_by_id=F("relationship__mentor__membership__user_id"))),
        )
    )
    for row in rows:
        f = facts[row["relationship_id"]]
        f.last_meeting_at, f.next_meeting_at = row["last_held"], row["next_at"]
        f.cancelled = {"mentee": row["by_mentee"], "mentor": row["by_mentor"]}


def _message_facts(facts: dict[int, Facts], ids: list[int]) -> None:
    rows = Message.objects.filter(relationship_id__in=ids).values("relationship_id").annotate(last=Max("created_at"))
    for row in rows:
        facts[row["relationship_id"]].last_message_at = row["last"]


def _no_show_facts(facts: dict[int, Facts], ids: list[int], since: dt.datetime) -> None:
    rows = (
        NoShow.objects.filter(relationship_id__in=ids, marked_at__gte=since)
        .values("relationship_id", "absent_side")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        facts[row["relationship_id"]].no_shows[row["absent_side"]] = row["n"]


def _checkin_facts(facts: dict[int, Facts], ids: list[int], now: dt.datetime) -> None:
    answers = (
        CheckInAnswer.objects.filter(
            checkin__relationship_id__in=ids, answered_at__gte=now - dt.timedelta(days=CHECKIN_MEMORY_DAYS)
        )
        .order_by("answered_at", "pk")
        .values("checkin__relationship_id", "side", "going", "rhythm", "answered_at")
    )
    for a in answers:  # later answers overwrite earlier ones: the latest per side remains
        facts[a["checkin__relationship_id"]].checkins[a["side"]] = {
            "going": a["going"],
            "rhythm": a["rhythm"],
            "at": a["answered_at"].isoformat(),
        }


def _evaluation_facts(facts: dict[int, Facts], relationships: list[Relationship], now: dt.datetime) -> None:
    today = platform_today(now)
    dues = {}
    for r in relationships:
        due = evaluation_due(started_at=r.started_at, ended_at=r.ended_at, today=today)
        if due is not None:
            dues[r.pk] = due
    if not dues:
        return
    done = set(
        Evaluation.objects.filter(relationship_id__in=list(dues)).values_list("relationship_id", "occasion", "sequence")
    )
    for rel_id, due in dues.items():
        if (rel_id, due.occasion, due.sequence) not in done:
            facts[rel_id].evaluation = "overdue" if due.overdue else "due"


def _block_facts(facts: dict[int, Facts], relationships: list[Relationship]) -> None:
    pairs = {r.pk: {r.mentee.user_id, r.mentor.membership.user_id} for r in relationships}
    users = set().union(*pairs.values())
    active = Block.objects.filter(lifted_at__isnull=True, blocker_id__in=users, blocked_id__in=users).values_list(
        "blocker_id", "blocked_id"
    )
    blocked_pairs = {frozenset(p) for p in active}
    for rel_id, pair in pairs.items():
        facts[rel_id].paused = frozenset(pair) in blocked_pairs
