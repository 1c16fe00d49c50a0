"""Notifications are written in the recipient's language (issue 19): in-app and by e-mail, whoever's
request or task sends them, with names, dates and reasons in place."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone, translation

from mentormemed.core.access import Actor
from mentormemed.mentorships import services, testing
from mentormemed.mentorships.models import EndReason, MissedResponse
from mentormemed.notifications.models import Notification
from mentormemed.profiles.models import ContentArea

pytestmark = pytest.mark.django_db

# Every module that calls notify(): its notifications are all translatable (docs/decisions.md).
TRANSLATED = [
    "mentorships/services.py",
    "mentorships/sweep.py",
    "outcomes/services.py",
    "scheduling/services.py",
    "evaluations/services.py",
    "programs/services.py",
    "programs/group_services.py",
    "care/services.py",
    "care/sweep.py",
    "care/demo.py",
    "mentorships/demo.py",
    "lifecycle/services.py",
    "lifecycle/closeout.py",
]
APPS = Path(__file__).resolve().parents[2]


def _speaks(membership, language: str) -> None:
    membership.user.language = language
    membership.user.save(update_fields=["language"])


def test_a_spanish_speaking_mentor_reads_an_english_speaking_mentees_request_in_spanish(
    cast, django_capture_on_commit_callbacks
):
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    mentor = testing.mentor_profile(cast.mentor)
    _speaks(cast.mentor, "es")
    area = ContentArea.objects.get(key="research")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # the mentee's request
        request = services.request_send(
            acting=Actor.for_membership(cast.mentee),
            mentor=mentor,
            message="I would love help planning my first project.",
            areas=[area],
        )
    note = Notification.objects.get(user=cast.mentor.user, kind="request_received")
    name = cast.mentee.user.display_name
    assert note.title == f"{name} le pide que sea su mentor(a)"
    month = timezone.localtime(request.deadline).month
    spanish_month = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                     "octubre", "noviembre", "diciembre"][month - 1]  # fmt: skip
    assert spanish_month in note.body.lower() and "Please accept" not in note.body
    (email,) = [m for m in mail.outbox if cast.mentor.user.email in m.to]
    assert note.title in email.subject or note.title in email.body
    assert "Leer la solicitud" in email.body and "Read the request" not in email.body


def test_each_side_of_an_ending_reads_it_in_their_own_language(cast, django_capture_on_commit_callbacks):
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    rel = testing.relationship(cast.mentee, testing.mentor_profile(cast.mentor))
    _speaks(cast.mentor, "es")
    with django_capture_on_commit_callbacks(execute=True):
        services.relationship_end(
            acting=Actor.for_user(cast.mentee.user), relationship=rel, reason=EndReason.GOALS_MET, note=""
        )
    note = Notification.objects.get(user=cast.mentor.user, kind="relationship")
    assert "terminó su mentoría" in note.title and "Alcanzamos nuestras metas" in note.body, note.body


def test_a_suspension_reaches_mentor_and_admin_each_in_their_language(cast):
    mentor = testing.mentor_profile(cast.mentor)
    _speaks(cast.mentor, "es")
    now = timezone.now()
    for n in range(3):
        mentee = testing.new_member(cast.inst_a, "mentee", f"late{n}@alpha.edu")
        request = testing.pending_request(mentee, mentor, created_at=now - dt.timedelta(days=10 + n))
        request.state = "expired"
        request.save(update_fields=["state"])
        MissedResponse.objects.create(mentor=mentor, request=request, occurred_at=now - dt.timedelta(days=n))
    assert services.maybe_suspend(mentor=mentor, now=now)
    assert Notification.objects.get(user=cast.mentor.user, kind="suspension").title.startswith("Está en pausa")
    admin_note = Notification.objects.get(user=cast.admin.user, kind="suspension")
    assert admin_note.title.startswith("Mentor ") and "suspended" in admin_note.title


@pytest.mark.parametrize("module", TRANSLATED)
def test_notification_texts_are_translatable_not_fixed_english(module):
    """Every notify() call's title, body and action is a translation (gettext_lazy / format_lazy), a
    variable holding one, or text someone wrote — never an English literal or f-string."""
    tree = ast.parse((APPS / module).read_text(encoding="utf-8"))
    fixed = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "notify":
            for kw in node.keywords:
                if kw.arg in ("title", "body", "action") and _is_fixed_text(kw.value):
                    fixed.append(f"{module}:{kw.value.lineno} {kw.arg}")
    assert not fixed, fixed


def test_every_module_that_notifies_is_checked():
    """A module that starts calling notify() joins TRANSLATED (and so the check above)."""
    calling = set()
    for path in APPS.rglob("*.py"):
        relative = path.relative_to(APPS).as_posix()
        if "/tests/" in relative or relative.startswith("notifications/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(
            isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")) == "notify"
            for n in ast.walk(tree)
        ):
            calling.add(relative)
    assert calling <= set(TRANSLATED), sorted(calling - set(TRANSLATED))


def _is_fixed_text(value: ast.expr) -> bool:
    if isinstance(value, ast.Constant | ast.JoinedStr):
        return isinstance(value, ast.JoinedStr) or bool(value.value)
    if isinstance(value, ast.IfExp):
        return _is_fixed_text(value.body) or _is_fixed_text(value.orelse)
    if isinstance(value, ast.BoolOp):
        return any(_is_fixed_text(v) for v in value.values)
    if isinstance(value, ast.BinOp):
        return _is_fixed_text(value.left) or _is_fixed_text(value.right)
    return False


def test_the_meeting_reminder_reads_in_each_persons_language_and_time_zone(cast):
    from mentormemed.scheduling import services as scheduling
    from mentormemed.scheduling import testing as st

    rel = testing.relationship(cast.mentee, testing.mentor_profile(cast.mentor))
    _speaks(cast.mentor, "es")
    cast.mentor.user.time_zone = "America/Mexico_City"
    cast.mentor.user.save(update_fields=["time_zone"])
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(hours=20)
    st.meeting(rel, starts_at=starts)
    assert scheduling.send_reminders() == 1
    spanish = Notification.objects.get(user=cast.mentor.user, kind="meeting")
    english = Notification.objects.get(user=cast.mentee.user, kind="meeting")
    assert spanish.title.startswith("Mañana: reunión con") and english.title.startswith("Tomorrow: meeting with")
    local = timezone.localtime(starts, __import__("zoneinfo").ZoneInfo("America/Mexico_City"))
    assert f" a las {local:%H:%M} (" in spanish.body and "Join:" not in spanish.body
    # Issue 19: the time follows each language's TIME_FORMAT — "4:30 PM" in English, not "16:30".
    theirs = timezone.localtime(starts, __import__("zoneinfo").ZoneInfo(cast.mentee.user.time_zone))
    assert f" at {theirs:%-I:%M %p} (" in english.body, english.body
