"""Issue 19: what the product stores about people's mentorships — matching reasons on a proposal, why a
meeting was cancelled, the close-out certificate's records, care's health reasons — is stored as codes and
facts and worded for whoever reads it; dates in e-mails come from the locale's formats."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from mentormemed.care.health import Reason, stored_reasons
from mentormemed.care.models import RelationshipHealth
from mentormemed.core import dates
from mentormemed.core.access import Actor
from mentormemed.lifecycle import testing as lt
from mentormemed.lifecycle.closeout import kept_records, kept_rows, removed_rows
from mentormemed.lifecycle.models import CloseOut
from mentormemed.matching.reasons import MatchReason, match_reason, worded
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import Message
from mentormemed.notifications.models import Notification
from mentormemed.notifications.services import day
from mentormemed.programs import services as programs
from mentormemed.programs import testing as pt
from mentormemed.programs.models import Proposal
from mentormemed.scheduling import services as scheduling
from mentormemed.scheduling.models import CancelReason, Meeting
from mentormemed.scheduling.testing import meeting as new_meeting

pytestmark = pytest.mark.django_db


def _speaks(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


# ------------------------------------------------------------------ 1. matching reasons


def test_a_match_reason_is_worded_in_the_active_language_and_again_from_what_is_stored():
    with translation.override("en"):
        offers = MatchReason("offers", areas=["research"])
        asked = MatchReason("asked")
    assert offers == "offers: research" and asked == "you asked for this mentor"
    stored = [offers.as_json(), asked.as_json(), MatchReason("near_peer").as_json()]
    with translation.override("es"):
        assert worded(stored) == [
            "ofrece: research",
            "usted pidió a este/a mentor/a",
            "mentor/a par de nivel cercano: un/a estudiante más avanzado/a",
        ]
        assert match_reason({"code": "shares", "params": {"keys": ["id:first_generation:first_generation"]}}) == (
            "comparte: primera generación"
        )
        assert match_reason("offers: research") == "offers: research"  # a proposal made before codes
    with translation.override("en"):
        figures = {"code": "responsiveness", "params": {"hours": 30.0, "rate": 0.9, "decided": 10}}
        assert match_reason(figures) == "usually answers within 2 days (90% of requests answered)"


def test_a_round_stores_codes_and_the_admin_and_the_introduced_mentee_each_read_their_language(
    cast, django_capture_on_commit_callbacks
):
    proposal = Proposal.objects.get(pk=pt.matrix_introduction(cast))
    proposal.reasons = [MatchReason("asked").as_json(), MatchReason("offers", areas=["research"]).as_json()]
    proposal.save(update_fields=["reasons"])
    _speaks(cast.mentee.user, "es")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # an English-speaking admin
        programs._introduce(proposal, timezone.now())
    note = Notification.objects.filter(user=cast.mentee.user, kind="program").latest("pk")
    assert note.body.startswith("usted pidió a este/a mentor/a; ofrece: research."), note.body
    mentor_note = Notification.objects.filter(user=proposal.mentor.membership.user, kind="program").latest("pk")
    assert "offers" not in mentor_note.body  # the mentor is told without the mentee's reasons
    with translation.override("es"):
        assert proposal.reason_texts == ["usted pidió a este/a mentor/a", "ofrece: research"]
    with translation.override("en"):
        assert proposal.reason_texts == ["you asked for this mentor", "offers: research"]
    _speaks(cast.admin.user, "es")
    page = cast.client_for(cast.admin).get(reverse("programs:round", args=[proposal.round_id])).content.decode()
    assert "usted pidió a este/a mentor/a; ofrece: research" in page


# ------------------------------------------------------------------ 2. why a meeting was cancelled


def test_a_cancellation_the_product_gives_is_stored_as_a_code_and_worded_for_each_reader(
    cast, django_capture_on_commit_callbacks
):
    rel = mt.relationship(cast.mentee, mt.mentor_profile(cast.mentor, scope="local"))
    meeting = new_meeting(rel, starts_at=timezone.now() + dt.timedelta(days=3))
    _speaks(cast.mentee.user, "es")
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        scheduling.meeting_cancel(meeting=meeting, acting=Actor.for_user(cast.mentor.user), code=CancelReason.PAUSED)
    meeting.refresh_from_db()
    assert (meeting.cancel_code, meeting.cancel_reason) == ("paused", "Contact in this mentorship is paused.")
    (es_mail,) = [m for m in mail.outbox if cast.mentee.user.email in m.to]
    assert "Motivo: El contacto en esta mentoría está en pausa." in es_mail.body
    assert "Contact in this mentorship" not in es_mail.body
    (en_mail,) = [m for m in mail.outbox if cast.mentor.user.email in m.to]
    assert "Reason: Contact in this mentorship is paused." in en_mail.body
    with translation.override("es"):
        page = cast.client_for(cast.mentee).get(reverse("scheduling:meeting", args=[meeting.pk])).content.decode()
    assert "El contacto en esta mentoría está en pausa." in page


def test_what_a_person_wrote_stays_theirs_and_old_rows_get_their_code():
    migration = importlib.import_module("mentormemed.scheduling.migrations.0003_meeting_cancel_code")
    written = Meeting(cancel_reason="Exams — can we find another time?")
    with translation.override("es"):
        assert written.reason_text == "Exams — can we find another time?"
        assert Meeting(cancel_code="mentee_absent", cancel_reason="The mentee did not show.").reason_text == (
            "El/la aprendiz no se presentó."
        )
    assert migration.KNOWN["The mentor did not show."] == CancelReason.MENTOR_ABSENT
    assert set(migration.KNOWN.values()) == set(CancelReason.values)


def test_the_migration_gives_old_rows_their_code(cast):
    migration = importlib.import_module("mentormemed.scheduling.migrations.0003_meeting_cancel_code")
    rel = mt.relationship(cast.mentee, mt.mentor_profile(cast.mentor, scope="local"))
    old = new_meeting(rel, status="cancelled", cancel_reason="The mentee did not show.")
    own = new_meeting(
        rel, starts_at=timezone.now() + dt.timedelta(days=9), status="cancelled", cancel_reason="Sick, sorry"
    )
    migration.codes_for_known_reasons(django_apps, None)
    old.refresh_from_db()
    own.refresh_from_db()
    assert (old.cancel_code, own.cancel_code) == ("mentee_absent", "")


# ------------------------------------------------------------------ 3. the certificate of destruction


def test_the_certificate_is_worded_and_dated_in_the_downloading_staff_members_language(cast):
    closeout = CloseOut.objects.select_related("institution").get(pk=lt.matrix_closeout(cast))
    closeout.summary = {
        "removed": [["invitations (deleted)", 2], ["accounts (name, e-mail and sign-in removed)", 3]],
        "kept": [
            *kept_records(closeout.institution, now=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))[:1],
            ["Subscriptions and invoices (no personal data)", 1, "financial records, 7 years"],  # before codes
        ],
    }
    with translation.override("es"):
        kept = kept_rows(closeout.summary["kept"])
        removed = removed_rows(closeout.summary["removed"])
        html = render_to_string(
            "lifecycle/pdf/certificate.html",
            {"c": closeout, "seller": settings.INVOICE, "removed": removed, "kept": kept},
        )
    assert kept[0][0].startswith("Entradas del registro de auditoría")
    assert re.match(r"hasta el \d+ de \w+ de 20\d\d \(calendario de conservación: \d+ años\)", kept[0][2]), kept[0]
    assert kept[1] == ("Suscripciones y facturas (sin datos personales)", 1, "registros financieros, 7 años")
    assert removed[0] == ("invitaciones (eliminadas)", 2)
    assert '<html lang="es">' in html and "Certificado de destrucción" in html
    assert "Certificate of destruction of the personal data" not in html and " UTC" in html
    with translation.override("en"):
        html = render_to_string(
            "lifecycle/pdf/certificate.html",
            {"c": closeout, "seller": settings.INVOICE, **{"removed": [], "kept": kept_rows(closeout.summary["kept"])}},
        )
    assert '<html lang="en">' in html and "financial records, 7 years" in html


def test_the_staff_page_lists_what_was_removed_in_the_staff_members_language(cast):
    pk = lt.matrix_closeout(cast)
    closeout = CloseOut.objects.get(pk=pk)
    _speaks(cast.staff, "es")
    page = cast.client_for(cast.staff).get(reverse("lifecycle:staff_institution", args=[closeout.institution_id]))
    text = page.content.decode()
    assert "cuentas (nombre, correo e inicio de sesión eliminados)" in text
    assert "accounts (name, e-mail and sign-in removed)" not in text


# ------------------------------------------------------------------ 4. dates from the locale's formats


def test_dates_in_emails_follow_the_locale_not_an_english_order():
    at = dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC)  # a Monday
    template = Template('{% load ui tz %}{{ at|timezone:"UTC"|when:"weekday,time,zone" }} · {{ at|when }}')
    with translation.override("es"):
        assert template.render(Context({"at": at})) == "lunes, 2 de marzo, 16:30 UTC · 2 de marzo"
        assert str(day(at, "when:weekday", dt.UTC)) == "lunes, 2 de marzo"
        assert dates.when(at, "weekday,year") == "lunes, 2 de marzo de 2026"
    with translation.override("en"):
        assert template.render(Context({"at": at})) == "Monday, March 2, 4:30 PM UTC · March 2"
        assert str(day(at, "MONTH_DAY_FORMAT")) == "March 2"


def test_no_email_template_writes_a_date_in_a_fixed_english_order():
    """Every e-mail template (``*/templates/**/email/*``) uses a named locale format or ``when``/``clock``."""
    root = Path(settings.BASE_DIR) / "mentormemed"
    offenders = []
    for path in root.glob("*/templates/**/*"):
        if path.is_file() and ("email" in path.parts or "_email" in path.name):
            for fmt in re.findall(r'\|(?:date|time):"([^"]*)"', path.read_text()):
                if fmt not in {"DATE_FORMAT", "MONTH_DAY_FORMAT", "SHORT_DATE_FORMAT", "TIME_FORMAT", "T"}:
                    offenders.append(f"{path.relative_to(root)}: {fmt}")
    assert not offenders, offenders


# ------------------------------------------------------------------ 5. care's health reasons


def test_stored_health_reasons_are_worded_for_the_admin_reading_them():
    stored = [
        Reason("drifting", "quiet", {"meeting_days": None, "message_days": 33}).as_json(),
        Reason("at_risk", "mentee_no_shows", {"n": 2, "days": 90}).as_json(),
        {"severity": "drifting", "text": "an old sentence", "private": False},  # stored before codes
    ]
    assert stored[0]["text"] == "no meeting held yet; last message 33 days ago; none booked"
    with translation.override("es"):
        texts = [str(r.text) for r in stored_reasons(stored)]
    assert texts[0] == "todavía no se ha realizado ninguna reunión; último mensaje hace 33 días; ninguna reservada"
    assert "90 días" in texts[1] and texts[2] == "an old sentence"


def test_the_at_risk_list_shows_the_reasons_in_the_admins_language(cast, time_machine):
    from mentormemed.care.sweep import refresh_health

    mt.fully_onboard(cast.mentee)
    mt.fully_onboard(cast.mentor)
    start = timezone.now()
    rel = mt.relationship(cast.mentee, mt.mentor_profile(cast.mentor, scope="local"), started_at=start)
    Message.objects.create(relationship=rel, sender=cast.mentee.user, body="hola", created_at=start)
    time_machine.move_to(start + dt.timedelta(days=70))
    refresh_health(force=True)
    assert RelationshipHealth.objects.get(relationship=rel).reasons[0]["code"] == "quiet"
    _speaks(cast.admin.user, "es")
    page = cast.client_for(cast.admin).get(reverse("care:at_risk")).content.decode()
    assert "último mensaje hace 70 días" in page and "last message 70 days ago" not in page
    _speaks(cast.admin.user, "en")
    page = cast.client_for(cast.admin).get(reverse("care:at_risk")).content.decode()
    assert "last message 70 days ago" in page
