"""Invitations (expiring, single-use), CSV rosters (all or nothing), membership status (R1, R26)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.institutions import services
from mentormemed.institutions.models import Invitation, Membership

pytestmark = pytest.mark.django_db


def _signup(client, path, password="a-long-unusual-passphrase"):
    return client.post(path, {"first_name": "Ana", "last_name": "Reyes", "password1": password, "password2": password})


def test_invitation_email_links_to_a_working_signup(cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.invitation_create(
            acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="Ana@Alpha.edu", role="mentee"
        )
    assert mail.outbox[-1].to == ["ana@alpha.edu"]
    assert result.path in mail.outbox[-1].body
    assert "Alpha School of Medicine" in mail.outbox[-1].subject
    response = _signup(client, result.path)
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="ana@alpha.edu")
    assert (membership.institution, membership.role) == (cast.inst_a, "mentee")
    assert membership.user.emailaddress_set.get().verified
    assert membership.user.password.startswith("md5$") or membership.user.has_usable_password()


def test_invitation_cannot_be_used_twice(cast, client):
    result = services.invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="x@alpha.edu", role="mentor"
    )
    assert _signup(client, result.path).status_code == 302
    client.logout()
    second = client.get(result.path)
    assert second.status_code == 410
    assert b"already been used" in second.content
    assert Membership.objects.filter(user__email="x@alpha.edu").count() == 1


def test_expired_invitation_is_refused_and_creates_nothing(cast, client):
    result = services.invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="late@alpha.edu", role="mentee"
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = _signup(client, result.path)
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not Membership.objects.filter(user__email="late@alpha.edu").exists()


def test_made_up_invitation_token_is_404(client, db):
    assert client.get(reverse("accounts:invitation", args=["nope"])).status_code == 404


def test_new_invitation_revokes_the_older_link(cast, client):
    first = services.invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="r@alpha.edu", role="mentee"
    )
    services.invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="r@alpha.edu", role="mentee"
    )
    assert client.get(first.path).status_code == 410


def test_weak_password_is_refused_with_a_message(cast, client):
    result = services.invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="w@alpha.edu", role="mentee"
    )
    response = _signup(client, result.path, password="12345678")
    assert response.status_code == 200
    assert b"too short" in response.content or b"too common" in response.content
    assert not Membership.objects.filter(user__email="w@alpha.edu").exists()
    assert Invitation.objects.get(email="w@alpha.edu").accepted_at is None


def test_existing_user_accepts_invitation_for_a_second_role(cast):
    result = services.invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="mentee@alpha.edu", role="mentor"
    )
    client = cast.client_for(cast.mentee)
    assert client.post(result.path).status_code == 302
    roles = set(Membership.objects.filter(user=cast.mentee.user).values_list("role", flat=True))
    assert roles == {"mentee", "mentor"}


def test_invitation_for_someone_else_is_refused_when_signed_in(cast):
    result = services.invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="other@alpha.edu", role="mentor"
    )
    response = cast.client_for(cast.mentee).post(result.path)
    assert response.status_code == 403
    assert not Membership.objects.filter(user__email="other@alpha.edu").exists()


def test_inviting_an_existing_member_in_the_same_role_is_refused(cast):
    with pytest.raises(ValidationError, match="already a mentee"):
        services.invitation_create(
            acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="mentee@alpha.edu", role="mentee"
        )


ROSTER_OK = b"email,role,first_name,last_name\na@alpha.edu,mentee,A,One\nb@alpha.edu,mentor,B,Two\n"
ROSTER_BAD = (
    b"email,role,first_name,last_name\na@alpha.edu,mentee,A,One\nnot-an-email,mentee,C,Three\nd@alpha.edu,dean,D,Four\n"
)


def _import(cast, data: bytes):
    """Check a roster, confirm it and let the background task run (inline in tests)."""
    result = services.roster_check(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, data=data)
    if result.ok:
        services.roster_confirm(acting=Actor.for_user(cast.admin.user), roster=result.roster)
    return result


def test_roster_import_invites_everyone(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = _import(cast, ROSTER_OK)
    assert result.ok
    result.roster.refresh_from_db()
    assert (result.roster.status, result.roster.created, result.roster.processed) == ("done", 2, 2)
    assert Invitation.objects.filter(email__in=["a@alpha.edu", "b@alpha.edu"]).count() == 2
    assert len(mail.outbox) == 2
    assert AuditEntry.objects.filter(action="invitation.create", detail__roster_import=result.roster.pk).count() == 2


def test_roster_with_a_bad_row_imports_nothing_and_reports_each_row(cast, django_capture_on_commit_callbacks):
    from mentormemed.institutions.models import RosterImport

    with django_capture_on_commit_callbacks(execute=True):
        result = _import(cast, ROSTER_BAD)
    assert not result.ok
    assert result.errors == [
        (3, "“not-an-email” is not a valid e-mail address."),
        (4, "Role “dean” is not mentee or mentor."),
    ]
    assert not Invitation.objects.exclude(pk=cast.invitation.pk).exists()
    assert not RosterImport.objects.exists()
    assert mail.outbox == []


def test_roster_row_of_an_existing_member_is_skipped_and_the_others_invited(cast, django_capture_on_commit_callbacks):
    data = b"email,role\nfresh@alpha.edu,mentee\nMentee@alpha.edu,mentee\n"
    with django_capture_on_commit_callbacks(execute=True):
        result = _import(cast, data)
    result.roster.refresh_from_db()
    assert (result.roster.created, result.roster.skipped, result.roster.failed) == (1, 1, 0)
    assert Invitation.objects.filter(email="fresh@alpha.edu").exists()
    assert not Invitation.objects.filter(email="mentee@alpha.edu").exists()
    assert [m.to for m in mail.outbox] == [["fresh@alpha.edu"]]


def test_roster_upload_page_reports_rows(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = cast.client_for(cast.admin)
    response = client.post(reverse("institutions:roster"), {"file": SimpleUploadedFile("r.csv", ROSTER_BAD)})
    assert response.status_code == 200
    assert "Line 3: “not-an-email” is not a valid e-mail address." in response.content.decode()
    assert not Invitation.objects.exclude(pk=cast.invitation.pk).exists()


def test_roster_that_is_not_csv_text_is_refused(cast):
    result = services.roster_check(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, data=b"\xff\xfe\x00garbage"
    )
    assert not result.ok and "UTF-8" in result.errors[0][1]


def test_r26_suspending_a_member_is_audited_and_reversible(cast):
    client = cast.client_for(cast.admin)
    client.post(reverse("institutions:member_status", args=[cast.mentor.pk]), {"status": "suspended", "note": "leave"})
    cast.mentor.refresh_from_db()
    assert cast.mentor.status == "suspended"
    assert cast.client_for(cast.mentor).get(reverse("core:home")).status_code == 403
    entry = AuditEntry.objects.get(action="membership.suspended")
    assert (entry.actor, entry.institution, entry.detail["note"]) == (cast.admin.user, cast.inst_a, "leave")
    client.post(reverse("institutions:member_status", args=[cast.mentor.pk]), {"status": "active"})
    cast.mentor.refresh_from_db()
    assert cast.mentor.status == "active"


def test_ended_membership_cannot_be_reopened(cast):
    services.membership_set_status(acting=Actor.for_user(cast.admin.user), membership=cast.mentee, status="ended")
    with pytest.raises(ValidationError):
        services.membership_set_status(acting=Actor.for_user(cast.admin.user), membership=cast.mentee, status="active")


def test_admin_cannot_change_another_institutions_member(cast):
    client = cast.client_for(cast.admin_b)
    response = client.post(reverse("institutions:member_status", args=[cast.mentor.pk]), {"status": "suspended"})
    assert response.status_code == 404
    cast.mentor.refresh_from_db()
    assert cast.mentor.status == "active"


def test_r26_viewing_a_member_is_audited(cast):
    cast.client_for(cast.admin).get(reverse("institutions:member_detail", args=[cast.mentee.pk]))
    assert AuditEntry.objects.filter(
        action="member.view", object_id=str(cast.mentee.pk), actor=cast.admin.user
    ).exists()


def test_r26_staff_read_the_audit_log(cast):
    cast.client_for(cast.admin).get(reverse("institutions:member_detail", args=[cast.mentee.pk]))
    response = cast.client_for(cast.staff).get(reverse("staff:audit"), {"action": "member."})
    assert response.status_code == 200
    assert b"member.view" in response.content


def test_members_list_query_count_is_bounded(cast, django_assert_max_num_queries):
    from mentormemed.testing.factories import MembershipFactory, onboard

    for _ in range(30):
        onboard(MembershipFactory(institution=cast.inst_a, role="mentee"))
    client = cast.client_for(cast.admin)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("institutions:members"))
    assert response.status_code == 200


def test_admin_withdraws_an_invitation_and_its_link_stops_working(cast, client):
    result = services.invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="w2@alpha.edu", role="mentee", send=False
    )
    cast.client_for(cast.admin).post(reverse("institutions:invitation_action", args=[result.invitation.pk, "revoke"]))
    assert client.get(result.path).status_code == 410
    assert AuditEntry.objects.filter(action="invitation.revoke").exists()


def test_admin_sends_a_new_link_which_replaces_the_old(cast, client, django_capture_on_commit_callbacks):
    result = services.invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="w3@alpha.edu", role="mentor", send=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        cast.client_for(cast.admin).post(
            reverse("institutions:invitation_action", args=[result.invitation.pk, "resend"])
        )
    assert client.get(result.path).status_code == 410
    assert mail.outbox[-1].to == ["w3@alpha.edu"]
    new_link = mail.outbox[-1].body.split("expires")[0]
    assert "/invite/" in mail.outbox[-1].body and result.path not in new_link


def test_members_list_filters_to_people_awaiting_the_admins_review(cast):
    """The dashboard's "to confirm" counts open a list of exactly those people (R4, R5)."""
    from mentormemed.accounts.models import MenteeEligibility, ReviewStatus
    from mentormemed.testing.factories import MembershipFactory, UserFactory, onboard

    waiting = onboard(
        MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory(email="waiting@alpha.edu"))
    )
    MenteeEligibility.objects.filter(membership=waiting).update(status=ReviewStatus.PENDING)
    client = cast.client_for(cast.admin)
    everyone = client.get(reverse("institutions:members"), {"role": "mentee"})
    assert {row["m"].pk for row in everyone.context["rows"]} == {cast.mentee.pk, waiting.pk}
    pending = client.get(reverse("institutions:members"), {"role": "mentee", "review": "pending"})
    assert [row["m"].pk for row in pending.context["rows"]] == [waiting.pk]
    home = client.get(reverse("core:home"))
    assert b"?role=mentee&amp;review=pending" in home.content
