"""R40 and R1: nothing is deleted during a lapse; at contract end staff close out, the export is
handed over, and after the grace period personal data is destroyed with a certificate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentormemed.accounts.models import User
from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.core.periodic import run_jobs
from mentormemed.institutions.models import Membership
from mentormemed.lifecycle import closeout as closeouts
from mentormemed.lifecycle.erasure import ERASED_DOMAIN
from mentormemed.lifecycle.models import CloseOut, DataExport, RetainedCmeRecord
from mentormemed.lifecycle.testing import lapse
from mentormemed.mentorships.models import MentorshipRequest, Message, Relationship
from mentormemed.mentorships.testing import mentor_profile, relationship
from mentormemed.profiles.models import IdentityOption, IdentityValue

pytestmark = pytest.mark.django_db


@pytest.fixture
def lapsed(cast):
    local = relationship(cast.mentee, mentor_profile(cast.mentor, scope="local"))
    national = relationship(cast.mentee_b, mentor_profile(cast.mentor_b, scope="national"))
    Message.objects.create(relationship=local, sender=cast.mentee.user, body="Private words")
    Message.objects.create(relationship=national, sender=cast.mentee_b.user, body="B's words")
    option = IdentityOption.objects.filter(dimension__key="race_ethnicity").first()
    IdentityValue.objects.create(membership=cast.mentee, option=option, shared=True)
    lapse(cast.inst_a)
    return local


def _start(cast, commits):
    with commits(execute=True):
        response = cast.client_for(cast.staff).post(
            reverse("lifecycle:staff_closeout_action", args=[cast.inst_a.pk, "start"])
        )
    assert response.status_code == 302
    return CloseOut.objects.get(institution=cast.inst_a)


def test_r1_a_current_institution_cannot_be_closed_out(cast):
    with pytest.raises(ValidationError, match="only a lapsed contract"):
        closeouts.closeout_start(acting=Actor.for_user(cast.staff), institution=cast.inst_a)
    assert not CloseOut.objects.exists()


def test_r1_nothing_is_deleted_during_a_lapse_or_the_grace_period(cast, lapsed, django_capture_on_commit_callbacks):
    run_jobs(now=timezone.now())
    closeout = _start(cast, django_capture_on_commit_callbacks)
    assert closeout.state == "grace" and closeout.handed_over_at and closeout.export_sha256
    run_jobs(now=timezone.now() + dt.timedelta(days=29))
    assert Message.objects.filter(body="Private words").exists()
    cast.mentee.user.refresh_from_db()
    assert cast.mentee.user.email == "mentee@alpha.edu"
    with pytest.raises(ValidationError, match="grace period runs until"):
        closeouts.closeout_request_destroy(acting=Actor.for_user(cast.staff), closeout=closeout)


def test_r40_handover_tells_the_admins_and_they_download(cast, lapsed, django_capture_on_commit_callbacks):
    closeout = _start(cast, django_capture_on_commit_callbacks)
    admin = cast.client_for(cast.admin)
    page = admin.get(reverse("lifecycle:institution")).content.decode()
    assert "Download your data below before" in page
    from mentormemed.notifications.models import Notification

    assert Notification.objects.filter(user=cast.admin.user, kind="data", title__contains="export is ready").exists()
    response = admin.get(reverse("lifecycle:institution_download", args=[closeout.export_id]))
    assert response.status_code == 200


def test_r40_destruction_after_grace_erases_people_keeps_aggregates_and_certifies(
    cast, lapsed, django_capture_on_commit_callbacks
):
    closeout = _start(cast, django_capture_on_commit_callbacks)
    requests_before = MentorshipRequest.objects.filter(mentee=cast.mentee).count()
    staff = cast.client_for(cast.staff)
    CloseOut.objects.filter(pk=closeout.pk).update(destroy_after=timezone.now() - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("lifecycle:staff_closeout_action", args=[cast.inst_a.pk, "destroy"]))
    closeout.refresh_from_db()
    assert closeout.state == "destroyed" and closeout.certificate_number.startswith("COD-")
    assert closeout.destroyed_by == cast.staff
    pdf = staff.get(reverse("lifecycle:staff_certificate", args=[closeout.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    # A's people: no name, e-mail, sign-in, words or identity left
    for member in (cast.mentee, cast.mentor, cast.admin):
        user = User.objects.get(pk=member.user_id)
        assert user.email.endswith(ERASED_DOMAIN) and not user.first_name and not user.last_name
        assert not user.has_usable_password() and not user.is_active
    assert not Message.objects.filter(body="Private words").exists()
    assert not IdentityValue.objects.filter(membership__institution=cast.inst_a).exists()
    assert not DataExport.objects.filter(institution=cast.inst_a).exclude(file="").exists()
    # coded facts behind the aggregates stay
    assert MentorshipRequest.objects.filter(mentee=cast.mentee).count() == requests_before
    assert Relationship.objects.filter(pk=lapsed.pk, started_at__isnull=False).exists()
    assert set(Membership.objects.filter(institution=cast.inst_a).values_list("status", flat=True)) == {"ended"}
    # B untouched
    for member in (cast.mentee_b, cast.mentor_b, cast.admin_b):
        assert User.objects.get(pk=member.user_id).email == member.user.email
    assert Message.objects.filter(body="B's words").exists()
    removed = dict(map(tuple, closeout.summary["removed"]))
    assert removed["accounts (name, e-mail and sign-in removed)"] == 3
    assert removed["messages (deleted)"] == 1
    assert AuditEntry.objects.filter(action="lifecycle.closeout.destroyed", institution=cast.inst_a).exists()


def test_r40_the_sweep_destroys_when_staff_did_not(cast, lapsed, django_capture_on_commit_callbacks):
    from mentormemed.notifications.models import Notification

    closeout = _start(cast, django_capture_on_commit_callbacks)
    done = run_jobs(now=timezone.now() + dt.timedelta(days=31))
    assert done["retention_closeouts_due"] == 1 and done["retention_closeouts_destroyed"] == 0
    assert Notification.objects.filter(user=cast.staff, title__startswith="Destruction due").count() == 1
    assert run_jobs(now=timezone.now() + dt.timedelta(days=32))["retention_closeouts_due"] == 0
    done = run_jobs(now=timezone.now() + dt.timedelta(days=31 + closeouts.BACKSTOP_DAYS))
    assert done["retention_closeouts_destroyed"] == 1
    closeout.refresh_from_db()
    assert closeout.state == "destroyed" and closeout.destroyed_by is None
    assert run_jobs(now=timezone.now() + dt.timedelta(days=60))["retention_closeouts_destroyed"] == 0


def test_r1_renewal_cancels_the_closeout_and_nothing_is_destroyed(cast, lapsed, django_capture_on_commit_callbacks):
    from mentormemed.institutions.services import subscription_start

    closeout = _start(cast, django_capture_on_commit_callbacks)
    subscription_start(acting=Actor.for_user(cast.staff), institution=cast.inst_a, term_start=timezone.localdate())
    assert run_jobs(now=timezone.now() + dt.timedelta(days=31))["retention_closeouts_destroyed"] == 0
    with pytest.raises(ValidationError, match="current term again"):
        closeouts.closeout_request_destroy(
            acting=Actor.for_user(cast.staff), closeout=closeout, now=timezone.now() + dt.timedelta(days=31)
        )
    with pytest.raises(ValidationError):
        closeouts.closeout_cancel(acting=Actor.for_user(cast.staff), closeout=closeout, note=" ")
    closeouts.closeout_cancel(acting=Actor.for_user(cast.staff), closeout=closeout, note="Renewed for 2027")
    assert Message.objects.filter(body="Private words").exists()


def test_r40_cme_credit_is_kept_minimal_on_destruction(cast, lapsed, django_capture_on_commit_callbacks):
    from mentormemed.training.testing import make_claim

    claim = make_claim(cast.mentor, npi="1234567893", birth_month=4, birth_day=2)
    closeout = _start(cast, django_capture_on_commit_callbacks)
    run_jobs(now=timezone.now() + dt.timedelta(days=31 + closeouts.BACKSTOP_DAYS))
    closeout.refresh_from_db()
    record = RetainedCmeRecord.objects.get(certificate_number=claim.certificate_number)
    assert record.name == cast.mentor.user.get_full_name() and record.credits == claim.credits
    claim.refresh_from_db()
    assert claim.npi == "" and claim.birth_month is None
    assert any("CME" in row["label"] and row["count"] == 1 for row in closeout.summary["kept"])
