"""Roster sync (R33): the parser, the diff (joiners, leavers, changes), preview before apply,
background apply with a report, and graduation vs leaving (R20)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.evaluations.models import MentorInvitationOffer
from mentormemed.institutions.models import Invitation, Membership
from mentormemed.provisioning.models import RosterSync
from mentormemed.provisioning.roster import parse_roster, roster_diff, roster_sync_confirm, roster_sync_preview

HEADER = "email,role,first_name,last_name,status\n"


def _csv(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode()


def test_parser_reads_rows_and_reports_every_bad_line():
    parsed = parse_roster(
        _csv(
            "Ada@Alpha.edu,Mentee,Ada,Lovelace,",
            "not-an-address,mentee,,,",
            "bob@alpha.edu,admin,,,",
            "ada@alpha.edu,mentee,,,",
            "cy@alpha.edu,mentor,Cy,Young,graduated",
            "di@alpha.edu,mentee,,,expelled",
        )
    )
    assert [(r.email, r.role, r.status) for r in parsed.rows] == [
        ("ada@alpha.edu", "mentee", "active"),
        ("cy@alpha.edu", "mentor", "graduated"),
    ]
    assert [line for line, _ in parsed.errors] == [3, 4, 5, 7]
    assert "appears twice" in parsed.errors[2][1]
    assert parse_roster(b"name,mail\nx,y\n").errors[0][0] == 1
    assert "UTF-8" in parse_roster("email,role\n\xe9,mentee\n".encode("latin-1")).errors[0][1]
    assert "no people" in parse_roster(HEADER.encode()).errors[0][1]


def test_r33_the_diff_finds_joiners_leavers_and_changes(cast):
    mentee, mentor = cast.mentee.user, cast.mentor.user
    rows = parse_roster(
        _csv(
            f"{mentor.email},mentor,{mentor.first_name},Renamed,",
            "new.learner@alpha.edu,mentee,New,Learner,",
            f"{cast.invitation.email},{cast.invitation.role},,,",
        )
    ).rows
    diff = roster_diff(institution=cast.inst_a, rows=rows)
    assert [j["email"] for j in diff["joiners"]] == ["new.learner@alpha.edu"]
    assert [(lv["email"], lv["reason"]) for lv in diff["leavers"]] == [(mentee.email, "left")]
    assert diff["changes"][0]["to"] == [mentor.first_name, "Renamed"]
    assert diff["pending"] == 1  # already invited: not invited again
    assert admin_untouched(diff, cast)


def admin_untouched(diff, cast) -> bool:
    return cast.admin.user.email not in {lv["email"] for lv in diff["leavers"]}


def test_r33_preview_changes_nothing_and_apply_runs_in_the_background_with_a_report(
    cast, django_capture_on_commit_callbacks
):
    mentee = cast.mentee
    data = _csv(
        f"{mentee.user.email},mentee,,,graduated",
        f"{cast.mentor.user.email},mentor,,,",
        "joiner@alpha.edu,mentee,Jo,Iner,",
    )
    sync = roster_sync_preview(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, data=data, file_name="roster.csv"
    )
    mentee.refresh_from_db()
    assert mentee.status == "active" and not Invitation.objects.filter(email="joiner@alpha.edu").exists()
    assert sync.status == RosterSync.Status.PREVIEW
    with django_capture_on_commit_callbacks(execute=True):
        roster_sync_confirm(acting=Actor.for_user(cast.admin.user), sync=sync)  # the task runs inline in tests
    sync.refresh_from_db()
    assert sync.status == RosterSync.Status.APPLIED
    assert sync.report["invited"] == 1 and sync.report["graduated"] == 1 and not sync.report["errors"]
    mentee.refresh_from_db()
    assert (mentee.status, mentee.end_reason) == ("ended", "graduated")
    assert Invitation.objects.filter(email="joiner@alpha.edu", institution=cast.inst_a).exists()
    with pytest.raises(ValidationError):
        roster_sync_confirm(acting=Actor.for_user(cast.admin.user), sync=sync)  # once only


@pytest.mark.django_db(transaction=True)
def test_r20_a_graduate_on_the_roster_is_invited_to_mentor_and_a_leaver_is_not(cast):
    leaver = Membership.objects.create(user=cast.mentor_b.user, institution=cast.inst_a, role="mentee")
    data = _csv(f"{cast.mentee.user.email},mentee,,,graduated", f"{cast.mentor.user.email},mentor,,,")
    sync = roster_sync_preview(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, data=data)
    roster_sync_confirm(acting=Actor.for_user(cast.admin.user), sync=sync)
    assert MentorInvitationOffer.objects.filter(membership=cast.mentee).exists()
    assert not MentorInvitationOffer.objects.filter(membership=leaver).exists()
    leaver.refresh_from_db()
    assert (leaver.status, leaver.end_reason) == ("ended", "left")
    assert [m for m in mail.outbox if m.to == [cast.mentee.user.email]]


def test_r20_a_graduate_on_the_roster_whose_eligibility_was_rejected_is_not_invited(
    cast, django_capture_on_commit_callbacks
):
    from mentormemed.accounts.models import MenteeEligibility, ReviewStatus
    from mentormemed.testing.factories import onboard

    onboard(cast.mentee)
    MenteeEligibility.objects.filter(membership=cast.mentee).update(status=ReviewStatus.REJECTED)
    data = _csv(f"{cast.mentee.user.email},mentee,,,graduated", f"{cast.mentor.user.email},mentor,,,")
    sync = roster_sync_preview(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, data=data)
    with django_capture_on_commit_callbacks(execute=True):
        roster_sync_confirm(acting=Actor.for_user(cast.admin.user), sync=sync)
    ended = Membership.objects.get(pk=cast.mentee.pk)
    assert (ended.status, ended.end_reason) == ("ended", "left")  # not in good standing
    assert not MentorInvitationOffer.objects.filter(membership=cast.mentee).exists()
    assert not [m for m in mail.outbox if m.to == [cast.mentee.user.email]]


def test_r33_a_partial_file_is_flagged_before_anything_happens(cast):
    for n in range(3):
        Membership.objects.create(
            user=type(cast.mentee.user).objects.create_user(f"m{n}@alpha.edu"), institution=cast.inst_a, role="mentee"
        )
    diff = roster_diff(institution=cast.inst_a, rows=parse_roster(_csv(f"{cast.mentor.user.email},mentor,,,")).rows)
    assert diff["warnings"] and "full roster" in diff["warnings"][0]


def test_r33_admin_uploads_previews_and_applies_in_the_product(cast, django_capture_on_commit_callbacks):
    client = cast.client_for(cast.admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("roster.csv", _csv(f"{cast.mentor.user.email},mentor,,,", "x@alpha.edu,mentee,X,Y,"))
    response = client.post(reverse("provisioning:roster_upload"), {"file": upload})
    sync = RosterSync.objects.get(institution=cast.inst_a)
    assert response.status_code == 302 and response["Location"] == reverse("provisioning:sync", args=[sync.pk])
    page = client.get(response["Location"]).content.decode()
    assert "x@alpha.edu" in page and "1 join" in page and "1 leave" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("provisioning:sync_action", args=[sync.pk, "apply"]))
    sync.refresh_from_db()
    assert sync.status == "applied"
    bad = SimpleUploadedFile("bad.csv", b"email,role\nnope,mentee\n")
    response = client.post(reverse("provisioning:roster_upload"), {"file": bad})
    assert response.status_code == 400 and "Line 2" in response.content.decode()
    other = cast.client_for(cast.admin_b)
    assert other.get(reverse("provisioning:sync", args=[sync.pk])).status_code == 404
