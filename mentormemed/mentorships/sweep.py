"""The periodic sweep: expiry, reminders, early check-ins, registered jobs and daily digests (R13, R29, R31).

Idempotent and safe to run concurrently: every step claims its rows with a
conditional UPDATE (state still pending, reminder count still lower, check-in not
yet sent, digest not yet sent today), so running it twice changes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from mentormemed.core.conf import product
from mentormemed.core.periodic import claim_run, finish_run, isolated, release_run, run_jobs
from mentormemed.mentorships import services
from mentormemed.mentorships.models import MentorshipRequest, Relationship, RequestState
from mentormemed.notifications.services import notify, send_digests

log = logging.getLogger(__name__)


SWEEP = "sweep"  # the PeriodicRun row that locks and records the sweep


def lease() -> dt.timedelta:
    """How long one pass may hold the sweep lock; a pass whose worker died frees it after this."""
    return dt.timedelta(minutes=product.sweep_lease_minutes)


def locked_sweep(*, now: dt.datetime | None = None) -> dict[str, int] | None:
    """One pass under the sweep lock (None when another pass holds it), recorded for readiness."""
    if not claim_run(SWEEP, lease=lease()):
        log.info("sweep skipped: another pass holds the lock")
        return None
    failures: list[str] = []
    try:
        done = sweep(now=now, failures=failures)
    except BaseException:
        release_run(SWEEP, failures=[*failures, "sweep: crashed"])
        raise
    finish_run(SWEEP, result=done, failures=failures)
    return done


def sweep(*, now: dt.datetime | None = None, failures: list[str] | None = None) -> dict[str, int]:
    """Every step and job, each isolated: one that raises is logged and recorded in ``failures``
    (and its count is 0); the others, and the digests, still run."""
    now = now or timezone.now()
    failures = [] if failures is None else failures
    done = {
        "expired": isolated("expired", lambda: expire_due(now=now, failures=failures), failures),
        "reminders": isolated("reminders", lambda: send_reminders(now=now, failures=failures), failures),
        "checkins": isolated("checkins", lambda: send_checkins(now=now, failures=failures), failures),
        **run_jobs(now=now, failures=failures),  # other capabilities' reminders (meetings, evaluations, surveys)
    }
    # last, so today's digest holds everything above
    done["digests"] = isolated("digests", lambda: send_digests(now=now, failures=failures), failures)
    if failures:
        done["failures"] = len(failures)
        log.error("sweep at %s: %d failures: %s", now.isoformat(), len(failures), failures)
    log.info("sweep at %s: %s", now.isoformat(), done)
    return done


def each_row(name: str, rows, work, failures: list[str]) -> int:
    """``work(row)`` for every row, each in its own savepoint; a row that raises is logged and skipped."""
    done = 0
    for row in rows:
        try:
            with transaction.atomic():
                done += bool(work(row))
        except Exception as exc:
            log.exception("%s failed for row %s", name, row.pk)
            failures.append(f"{name} #{row.pk}: {type(exc).__name__}: {exc}"[:500])
    return done


def expire_due(*, now: dt.datetime, failures: list[str] | None = None) -> int:
    due = MentorshipRequest.objects.filter(state=RequestState.PENDING, deadline__lte=now).select_related(
        "mentee__user", "mentor__membership__user", "mentor__membership__institution"
    )
    return each_row(
        "expired", due, lambda r: services.request_expire(request=r, now=now), [] if failures is None else failures
    )


def _reminder_schedule() -> list[int]:
    """Days before the deadline, furthest first (default 3 then 1)."""
    return sorted(product.reminder_days_before, reverse=True)


def send_reminders(*, now: dt.datetime, failures: list[str] | None = None) -> int:
    """Remind the mentor of a pending request at each configured point before the deadline.

    ``reminders_sent`` counts the points already covered; a sweep that was down past a point
    sends one reminder for the latest point due, not a burst.
    """
    schedule = _reminder_schedule()
    if not schedule:
        return 0
    candidates = MentorshipRequest.objects.filter(
        state=RequestState.PENDING,
        deadline__gt=now,
        deadline__lte=now + dt.timedelta(days=schedule[0]),
        reminders_sent__lt=len(schedule),
    ).select_related("mentee__user", "mentor__membership__user")

    def remind(request: MentorshipRequest) -> bool:
        due_points = [i for i, days in enumerate(schedule) if now >= request.deadline - dt.timedelta(days=days)]
        if not due_points:
            return False
        target = max(due_points) + 1
        claimed = MentorshipRequest.objects.filter(
            pk=request.pk, state=RequestState.PENDING, reminders_sent__lt=target
        ).update(reminders_sent=target, last_reminder_at=now)
        if not claimed:
            return False
        left = (request.deadline - now).days
        body = (
            format_lazy(
                ngettext_lazy(
                    "The request expires in {n} day. Accepting or declining both count as answering.",
                    "The request expires in {n} days. Accepting or declining both count as answering.",
                    left,
                ),
                n=left,
            )
            if left >= 1
            else _("The request expires in less than a day. Accepting or declining both count as answering.")
        )
        notify(
            user=request.mentor.membership.user,
            kind="request_reminder",
            title=format_lazy(_("Reminder: {name} is waiting for your answer"), name=request.mentee.user.display_name),
            body=body,
            url=reverse("mentorships:inbox_detail", args=[request.pk]),
            action=_("Answer the request"),
        )
        return True

    return each_row("reminders", candidates, remind, [] if failures is None else failures)


def send_checkins(*, now: dt.datetime, failures: list[str] | None = None) -> int:
    """R29: about 5 weeks in (4–6), ask both sides whether the match works. Once per relationship."""
    after = dt.timedelta(days=product.checkin_after_days)
    due = Relationship.objects.filter(
        ended_at__isnull=True,
        checkin_sent_at__isnull=True,
        started_at__lte=now - after,
        # Never start nagging long-running pairs (e.g. after a long outage): 4–6 weeks, plus slack.
        started_at__gte=now - after - dt.timedelta(days=product.checkin_grace_days),
    ).select_related("mentee__user", "mentor__membership__user")

    def checkin(relationship: Relationship) -> bool:
        if not Relationship.objects.filter(pk=relationship.pk, checkin_sent_at__isnull=True).update(
            checkin_sent_at=now
        ):
            return False
        notify_checkin(relationship)
        return True

    return each_row("checkins", due, checkin, [] if failures is None else failures)


def notify_checkin(relationship: Relationship) -> None:
    """Ask both sides (in-app notification, and e-mail as each chose) whether the match works."""
    url = reverse("mentorships:relationship", args=[relationship.pk]) + "#checkin"
    for user, other in (
        (relationship.mentee.user, relationship.mentor.membership.user),
        (relationship.mentor.membership.user, relationship.mentee.user),
    ):
        notify(
            user=user,
            kind="checkin",
            title=format_lazy(_("Is your mentorship with {name} working?"), name=other.display_name),
            body=_("A quick check-in after the first weeks. If it is not working, a new match is one click away."),
            url=url,
            action=_("Answer the check-in"),
        )
