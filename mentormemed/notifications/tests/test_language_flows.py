"""Issue 19 through real flows of programs, circles, care and data rights: each person reads what they are
told in their own language — in-app, in the e-mail and in the calendar invite — whoever's request or
task sends it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation
from icalendar import Calendar

from mentormemed.care import services as care
from mentormemed.care.models import CarePolicy, Case, RelationshipHealth
from mentormemed.core.access import Actor
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import Message
from mentormemed.mentorships.sweep import sweep
from mentormemed.notifications.models import Notification, NotificationPreference
from mentormemed.programs import group_selectors, group_services
from mentormemed.programs import services as programs
from mentormemed.programs import testing as pt
from mentormemed.scheduling.testing import weekday_availability

pytestmark = pytest.mark.django_db


def _speaks(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def _mails_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


def _summary(message) -> str:
    ics = next(a for a in message.attachments if a[0] == "invite.ics")[1]
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    return str(event["SUMMARY"]), str(event["UID"])


def test_a_circle_tells_each_member_in_their_language_in_app_by_email_and_in_the_invite(
    cast, django_capture_on_commit_callbacks
):
    facilitator = mt.new_member(cast.inst_a, "mentor", "langfac@alpha.edu")
    weekday_availability(facilitator.mentor_profile)
    spanish = mt.new_member(cast.inst_a, "mentee", "es@alpha.edu")
    english = mt.new_member(cast.inst_a, "mentee", "en@alpha.edu")
    _speaks(spanish.user, "es")
    for member in (spanish, english):  # circle news comes in the daily digest unless one asks for it at once
        NotificationPreference.objects.create(user=member.user, kind="circle", delivery="immediate")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # an English-speaking admin
        circle = group_services.circle_create(
            acting=pt.admin_actor(cast.admin),
            name="Residency circle",
            facilitators=[facilitator],
            mentees=[spanish, english],
            max_mentees=3,
        )
    es_note = Notification.objects.get(user=spanish.user, kind="circle")
    en_note = Notification.objects.get(user=english.user, kind="circle")
    assert es_note.title == "Está en el círculo «Residency circle»"
    assert en_note.title == "You are in the circle “Residency circle”"
    (es_mail,) = _mails_to(spanish.user)
    assert (
        es_note.title in es_mail.subject
        and "Abrir el círculo" in es_mail.body
        and "Open the circle" not in es_mail.body
    )
    (en_mail,) = _mails_to(english.user)
    assert "Open the circle" in en_mail.body

    mail.outbox.clear()
    slot = group_selectors.circle_slots(circle=circle, length=60)[0]
    with django_capture_on_commit_callbacks(execute=True):
        group_services.circle_meeting_book(
            acting=Actor.for_membership(facilitator), circle=circle, starts_at=slot.starts_at, length=60
        )
    (es_invite,) = _mails_to(spanish.user)
    (en_invite,) = _mails_to(english.user)
    es_summary, es_uid = _summary(es_invite)
    en_summary, en_uid = _summary(en_invite)
    assert es_summary == "Círculo de mentoría: Residency circle" and en_summary == "Mentoring circle: Residency circle"
    assert es_uid == en_uid  # one calendar object, worded for each reader
    assert "Sala de video" in es_invite.body and "Video room" not in es_invite.body


def test_a_program_invitation_reads_in_the_invited_persons_language(cast, django_capture_on_commit_callbacks):
    program = pt.program(cast.inst_a, name="MS1 cohort", join_mode="invite")
    spanish = mt.new_member(cast.inst_a, "mentee", "invited-es@alpha.edu")
    english = mt.new_member(cast.inst_a, "mentee", "invited-en@alpha.edu")
    _speaks(spanish.user, "es")
    with django_capture_on_commit_callbacks(execute=True):
        programs.enrol_invite(acting=pt.admin_actor(cast.admin), program=program, memberships=[spanish, english])
    assert Notification.objects.get(user=spanish.user, kind="program").title == "Está invitado/a a MS1 cohort"
    assert Notification.objects.get(user=english.user, kind="program").title == "You are invited to MS1 cohort"
    (es_mail,) = _mails_to(spanish.user)
    assert "Ver el programa" in es_mail.body and "See the program" not in es_mail.body
    (en_mail,) = _mails_to(english.user)
    assert "See the program" in en_mail.body


def test_a_drifting_pair_is_nudged_each_in_their_language_with_the_facts_in_it(
    cast, time_machine, django_capture_on_commit_callbacks
):
    mt.fully_onboard(cast.mentee)
    mt.fully_onboard(cast.mentor)
    start = timezone.now()
    rel = mt.relationship(cast.mentee, mt.mentor_profile(cast.mentor, scope="local"), started_at=start)
    Message.objects.create(relationship=rel, sender=cast.mentee.user, body="hola", created_at=start)
    _speaks(cast.mentee.user, "es")
    time_machine.move_to(start + dt.timedelta(days=33))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["care_nudges"] == 1
    mentor_name = cast.mentor.user.display_name
    es_note = Notification.objects.get(user=cast.mentee.user, kind="care_nudge")
    assert es_note.title == f"Su mentoría con {mentor_name} necesita un poco de atención"
    assert es_note.body.startswith(
        "Todavía no se ha realizado ninguna reunión; último mensaje hace 33 días; ninguna reservada. "
    ), es_note.body
    en_note = Notification.objects.get(user=cast.mentor.user, kind="care_nudge")
    assert en_note.body.startswith("No meeting held yet; last message 33 days ago; none booked. ")
    (es_mail,) = _mails_to(cast.mentee.user)
    assert "necesita un poco de atención" in es_mail.subject and "hace 33 días" in es_mail.body
    assert "Abrir la mentoría" in es_mail.body and "Open the mentorship" not in es_mail.body
    # what the sweep stores for the admins' list stays as it was
    reasons = RelationshipHealth.objects.get(relationship=rel).reasons
    assert reasons[0]["text"] == "no meeting held yet; last message 33 days ago; none booked"


def test_a_wellbeing_concern_reaches_the_mentee_and_each_handler_in_their_own_language(
    cast, django_capture_on_commit_callbacks
):
    mt.fully_onboard(cast.mentee)
    mt.fully_onboard(cast.mentor)
    rel = mt.relationship(cast.mentee, mt.mentor_profile(cast.mentor, scope="local"))
    CarePolicy.objects.create(
        institution=cast.inst_a,
        wellbeing_contact_name="Alpha Student Wellness",
        crisis_resources="Call or text 988",
    )
    _speaks(cast.mentee.user, "es")
    _speaks(cast.admin.user, "es")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # the mentor writes in English
        care.concern_raise(
            acting=Actor(user=cast.mentor.user, membership=cast.mentor, memberships=[cast.mentor]),
            relationship=rel,
            description="She said she has not slept or eaten for days.",
            urgent=True,
        )
    reference = Case.objects.get().reference
    told = Notification.objects.get(user=cast.mentee.user, kind="care_concern")
    assert told.title == "Su mentor avisó al equipo de apoyo de su escuela porque se preocupa por usted"
    assert "compartió una inquietud por su bienestar con Alpha Student Wellness" in told.body
    assert "Si necesita ayuda ahora: Call or text 988" in told.body and "not slept" not in told.body
    (told_mail,) = [m for m in _mails_to(cast.mentee.user) if told.title in m.subject]
    assert "No está en problemas" in told_mail.body
    admin_note = Notification.objects.get(user=cast.admin.user, kind="care_case")
    assert admin_note.title == f"URGENTE: se planteó una inquietud por el bienestar ({reference})"
    assert admin_note.body == f"{reference} · Inquietud por el bienestar · urgente"
    staff_note = Notification.objects.get(user=cast.staff, kind="care_case")
    assert staff_note.title == f"URGENT: A wellbeing concern was raised ({reference})"
    assert staff_note.body == f"{reference} · Wellbeing concern · urgent"


def test_the_erasure_email_is_in_the_persons_language_after_their_account_is_gone(
    cast, django_capture_on_commit_callbacks
):
    from mentormemed.lifecycle import services as lifecycle

    _speaks(cast.mentee.user, "es")
    address = cast.mentee.user.email
    item = lifecycle.erasure_request(acting=Actor.for_user(cast.mentee.user), reason="")
    assert Notification.objects.get(user=cast.staff, kind="data").title == "A person asked to be erased"
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.erasure_decide(acting=Actor.for_user(cast.staff), item=item, carry_out=True, note="")
    (sent,) = [m for m in mail.outbox if m.to == [address]]
    assert sent.subject == "Se eliminó su cuenta de MentorMeMed"
    assert "cuentas (nombre, correo e inicio de sesión eliminados): 1" in sent.body, sent.body
