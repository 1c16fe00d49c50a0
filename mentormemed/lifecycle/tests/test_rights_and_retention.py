"""People's own rights (download, erasure) and the retention schedule enforced by the sweep (R40, R26)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentormemed.accounts.models import User
from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.models import AuditEntry
from mentormemed.core.periodic import run_jobs
from mentormemed.institutions.models import Membership
from mentormemed.lifecycle.models import DataExport, ErasureRequest, RetainedCmeRecord, RetentionSchedule
from mentormemed.mentorships.models import Message
from mentormemed.mentorships.testing import mentor_profile, relationship
from mentormemed.profiles.models import IdentityOption, IdentityValue

pytestmark = pytest.mark.django_db


def test_a_member_downloads_their_own_data_private_values_included(cast, django_capture_on_commit_callbacks):
    rel = relationship(cast.mentee, mentor_profile(cast.mentor, scope="local"))
    Message.objects.create(relationship=rel, sender=cast.mentor.user, body="Reply from my mentor")
    option = IdentityOption.objects.filter(dimension__key="race_ethnicity").first()
    IdentityValue.objects.create(membership=cast.mentee, option=option, shared=False)
    client = cast.client_for(cast.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lifecycle:mine_export"))
    export = DataExport.objects.get(person=cast.mentee.user)
    assert export.state == "ready"
    status = client.get(reverse("lifecycle:mine_export_status")).content.decode()
    assert "Download the archive" in status and "hx-trigger" not in status
    content = b"".join(client.get(reverse("lifecycle:mine_download")).streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        identity = list(csv.DictReader(io.StringIO(archive.read("identity.csv").decode())))
        messages = archive.read("messages.csv").decode()
        account = archive.read("account.csv").decode()
    assert identity[0]["visibility"] == "private"
    assert "Reply from my mentor" in messages and "mentee@alpha.edu" in account
    # another person's archive is not reachable: the URL has no id, it is always one's own
    other = cast.client_for(cast.mentee_b)
    assert other.get(reverse("lifecycle:mine_download")).status_code == 404


def test_erasure_request_is_explained_handled_and_told(cast):
    from mentormemed.training.testing import make_claim

    make_claim(cast.mentor, npi="1234567893")
    client = cast.client_for(cast.mentor)
    page = client.get(reverse("lifecycle:mine")).content.decode()
    assert "What we must keep" in page and "CME credit" in page and "audit log" in page
    response = client.post(reverse("lifecycle:mine_erasure"), {"reason": ""}, follow=True)
    assert "Tick the box" in response.content.decode() and not ErasureRequest.objects.exists()
    client.post(reverse("lifecycle:mine_erasure"), {"reason": "Leaving medicine", "confirm": "on"})
    item = ErasureRequest.objects.get(person=cast.mentor.user)
    staff = cast.client_for(cast.staff)
    assert cast.mentor.user.display_name in staff.get(reverse("lifecycle:staff_index")).content.decode()
    response = staff.post(reverse("lifecycle:staff_erasure", args=[item.pk]), {"decision": "decline", "note": ""})
    assert "Say why" in response.content.decode()
    response = staff.post(reverse("lifecycle:staff_erasure", args=[item.pk]), {"decision": "carry_out", "note": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    user = User.objects.get(pk=cast.mentor.user_id)
    assert item.state == "done" and user.email.startswith("erased-") and not user.is_active
    assert Membership.objects.get(pk=cast.mentor.pk).status == "ended"
    assert RetainedCmeRecord.objects.filter(institution_name=cast.inst_a.name).count() == 1
    assert AuditEntry.objects.filter(action="lifecycle.erasure.done").exists()


def test_erasure_email_goes_to_the_address_before_erasure(cast, django_capture_on_commit_callbacks):
    from mentormemed.lifecycle import services

    item = services.erasure_request(acting=Actor.for_user(cast.mentee.user), reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.erasure_decide(acting=Actor.for_user(cast.staff), item=item, carry_out=True, note="")
    sent = [m for m in mail.outbox if "erased" in m.subject]
    assert sent and sent[0].to == ["mentee@alpha.edu"]


def test_retention_sweep_applies_each_institutions_audit_years(cast):
    RetentionSchedule.objects.create(institution=cast.inst_b, audit_years=2)
    now = timezone.now()
    old_a = audit(actor=None, action="test.old", institution=cast.inst_a)
    old_b = audit(actor=None, action="test.old", institution=cast.inst_b)
    AuditEntry.objects.filter(pk__in=[old_a.pk, old_b.pk]).update(at=now - dt.timedelta(days=365 * 3))
    done = run_jobs(now=now)
    assert done["retention_audit_removed"] == 1
    assert AuditEntry.objects.filter(pk=old_a.pk).exists() and not AuditEntry.objects.filter(pk=old_b.pk).exists()


def test_retention_sweep_erases_people_who_left_long_ago_only(cast):
    now = timezone.now()
    Membership.objects.filter(pk=cast.mentee.pk).update(status="ended", ended_at=now - dt.timedelta(days=365 * 4))
    Membership.objects.filter(pk=cast.mentee_b.pk).update(status="ended", ended_at=now - dt.timedelta(days=365))
    done = run_jobs(now=now)
    assert done["retention_people_erased"] == 1
    assert User.objects.get(pk=cast.mentee.user_id).email.startswith("erased-")
    assert User.objects.get(pk=cast.mentee_b.user_id).email == "mentee@beta.org"
    assert run_jobs(now=now)["retention_people_erased"] == 0


def test_staff_edit_the_schedule_and_bad_values_change_nothing(cast):
    staff = cast.client_for(cast.staff)
    url = reverse("lifecycle:staff_institution", args=[cast.inst_a.pk])
    response = staff.post(url, {"audit_years": 0, "inactive_account_years": 3, "closeout_grace_days": 2})
    assert response.status_code == 200 and not RetentionSchedule.objects.exists()
    staff.post(url, {"audit_years": 7, "inactive_account_years": 5, "closeout_grace_days": 45})
    schedule = RetentionSchedule.objects.get(institution=cast.inst_a)
    assert (schedule.audit_years, schedule.inactive_account_years, schedule.closeout_grace_days) == (7, 5, 45)
    page = cast.client_for(cast.admin).get(reverse("lifecycle:institution")).content.decode()
    assert "7 years" in page and "45 days" in page
