"""R26: the audit gaps found by probing — sensitive views, staff downloads, second factors, roles."""

from __future__ import annotations

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from mentormemed.core.models import AuditEntry
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET

pytestmark = pytest.mark.django_db


def test_r26_an_admin_opening_every_mentors_evaluation_summary_is_audited(cast):
    cast.client_for(cast.admin).get(reverse("outcomes:reward"))
    entry = AuditEntry.objects.get(action="reward.view")
    assert entry.actor == cast.admin.user and entry.actor_role == "admin" and entry.institution == cast.inst_a


def test_r26_staff_downloading_an_invoice_is_audited(cast):
    subscription = cast.inst_a.subscriptions.first()
    response = cast.client_for(cast.staff).get(reverse("outcomes:staff_invoice_pdf", args=[subscription.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="invoice.download")
    assert entry.actor_role == "staff" and entry.institution == cast.inst_a and entry.object_id == str(subscription.pk)


def test_r26_regenerating_recovery_codes_is_audited(cast, django_capture_on_commit_callbacks):
    with time_machine.travel(1_800_000_000, tick=False):
        client = Client()
        client.post(reverse("account_login"), {"login": "admin@alpha.edu", "password": TEST_PASSWORD})
        client.post(reverse("mfa_authenticate"), {"code": format_hotp_value(hotp_value(TOTP_SECRET, 60_000_000))})
        assert "_auth_user_id" in client.session
        client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})  # allauth asks again first
        with django_capture_on_commit_callbacks(execute=True):  # allauth signals after commit
            response = client.post(reverse("mfa_generate_recovery_codes"), {})
        assert response.status_code in (200, 302)
    actions = set(AuditEntry.objects.filter(actor=cast.admin.user).values_list("action", flat=True))
    assert actions & {"mfa.recovery_codes.added", "mfa.recovery_codes.regenerated"}


def test_r26_entries_written_by_services_record_the_role_the_person_acted_in(cast):
    client = cast.client_for(cast.admin)
    client.post(reverse("institutions:invite"), {"email": "new.mentee@alpha.edu", "role": "mentee"})
    entry = AuditEntry.objects.filter(actor=cast.admin.user).latest("pk")
    assert entry.action.startswith("invitation") and entry.actor_role == "admin"
    assert entry.ip_address == "127.0.0.1"


def test_r26_entries_written_without_a_person_say_system():
    from mentormemed.core.audit import audit

    assert audit(actor=None, action="sweep.test").actor_role == "system"
