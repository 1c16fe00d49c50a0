"""R37: report and block, wellbeing concerns with crisis resources, case handling — and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentormemed.care import services
from mentormemed.care.models import Block, CarePolicy, Case, CaseStatus, HealthState
from mentormemed.care.sweep import refresh_health
from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.matching.selectors import searchable_mentors
from mentormemed.mentorships import services as mentorships
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import Goal, Message, RequestState
from mentormemed.notifications.models import Notification
from mentormemed.scheduling import services as scheduling
from mentormemed.scheduling.models import MeetingStatus
from mentormemed.scheduling.testing import meeting, weekday_availability

SECRET_MESSAGE = "my private worry about my family money"
SECRET_GOAL = "publish the secret abstract"
SECRET_NOTE = "notes only we two read"
SECRET_COMPACT = "we promise to talk about the hard things"


def actor(membership):
    return Actor(user=membership.user, membership=membership, memberships=[membership])


def report(pair, run, *, block=True, by="mentee"):
    reporter = pair.mentee if by == "mentee" else pair.mentor.membership
    subject = pair.mentor.membership if by == "mentee" else pair.mentee
    return run(
        services.report_file,
        acting=actor(reporter),
        subject_membership=subject,
        relationship=pair.rel,
        category="harassment",
        description="He keeps sending me messages about my appearance at night.",
        block=block,
    )


def test_r37_a_report_reaches_the_reporters_admins_and_staff_never_the_subject_and_is_audited(pair, run, cast):
    case = report(pair, run, block=False)
    told = set(Notification.objects.filter(kind="care_case").values_list("user__email", flat=True))
    assert told == {"admin@alpha.edu", "staff@mentormemed.org"}
    assert not Notification.objects.filter(user=pair.mentor.membership.user, kind="care_case").exists()
    entry = AuditEntry.objects.get(action="care.report.file")
    assert entry.institution == cast.inst_a and "appearance" not in str(entry.detail)
    assert case.status == CaseStatus.OPEN and case.events.get().action == "filed"
    assert not Block.objects.exists()


def test_r37_a_cross_institutional_report_also_reaches_the_other_institutions_admins(cast, run):
    mt.fully_onboard(cast.mentee)
    mt.fully_onboard(cast.mentor_b)
    mentor_b = mt.mentor_profile(cast.mentor_b, scope="national")
    rel = mt.relationship(cast.mentee, mentor_b)
    case = run(
        services.report_file,
        acting=actor(cast.mentee),
        subject_membership=cast.mentor_b,
        relationship=rel,
        category="discrimination",
        description="Made remarks about my accent in every meeting.",
        block=False,
    )
    assert case.other_institution == cast.inst_b
    told = set(Notification.objects.filter(kind="care_case").values_list("user__email", flat=True))
    assert told == {"admin@alpha.edu", "admin@beta.org", "staff@mentormemed.org"}
    assert cast.client_for(cast.admin_b).get(reverse("care:case", args=[case.pk])).status_code == 200


def test_r37_blocking_pauses_contact_at_once(pair, run, cast):
    weekday_availability(pair.mentor)
    future = meeting(pair.rel, starts_at=timezone.now() + dt.timedelta(days=3))
    other_mentor = mt.new_member(cast.inst_a, "mentor", "other@alpha.edu", scope="local")
    pending = mt.pending_request(cast.mentee, pair.mentor)  # (e.g. after ending) — closed by the block
    mail.outbox.clear()
    report(pair, run, block=True)
    block = Block.objects.get()
    assert (block.blocker, block.blocked) == (pair.mentee.user, pair.mentor.membership.user)
    future.refresh_from_db()
    pending.refresh_from_db()
    assert future.status == MeetingStatus.CANCELLED and pending.state == RequestState.WITHDRAWN
    for user in (pair.mentee.user, pair.mentor.membership.user):  # both directions are closed
        with pytest.raises(ValidationError, match="paused"):
            mentorships.message_send(acting=Actor.for_user(user), relationship=pair.rel, body="hello?")
        with pytest.raises(ValidationError, match="paused"):
            scheduling.meeting_book(
                relationship=pair.rel, acting=Actor.for_user(user), starts_at=timezone.now() + dt.timedelta(days=5)
            )
    visible = set(searchable_mentors(viewer=cast.mentee).values_list("pk", flat=True))
    assert pair.mentor.pk not in visible and other_mentor.mentor_profile.pk in visible
    assert cast.client_for(cast.mentee).get(reverse("matching:mentor", args=[pair.mentor.pk])).status_code == 404
    with pytest.raises(ValidationError, match="not taking requests"):
        mentorships.request_send(
            acting=Actor.for_membership(cast.mentee),
            mentor=pair.mentor,
            message="x" * 30,
            areas=list(pair.mentor.content_areas.all()[:1]),
        )
    assert AuditEntry.objects.filter(action="care.block").exists()
    page = cast.client_for(cast.mentor).get(reverse("mentorships:relationship", args=[pair.rel.pk])).content.decode()
    assert "Contact is paused" in page, page
    assert "Restore contact" not in page, page[page.index("Restore contact") - 600 :][:900]
    refresh_health(force=True)
    assert pair.rel.health.state == HealthState.PAUSED


def test_r37_only_the_blocker_restores_contact(pair, run, cast):
    report(pair, run, block=True)
    mentor = cast.client_for(cast.mentor)
    mentor.post(reverse("care:block_lift", args=[cast.mentee.user.pk]))
    assert Block.objects.get().lifted_at is None
    cast.client_for(cast.mentee).post(reverse("care:block_lift", args=[cast.mentor.user.pk]))
    assert Block.objects.get().lifted_at is not None
    mentorships.message_send(acting=Actor.for_user(pair.mentee.user), relationship=pair.rel, body="Let us try again.")
    assert AuditEntry.objects.filter(action="care.unblock").exists()


def test_r37_reporting_from_a_profile_and_from_a_request(pair, cast):
    mentee, mentor = cast.client_for(cast.mentee), cast.client_for(cast.mentor)
    profile = mentee.get(reverse("matching:mentor", args=[pair.mentor.pk])).content.decode()
    assert reverse("care:report_mentor", args=[pair.mentor.pk]) in profile
    response = mentee.post(
        reverse("care:report_mentor", args=[pair.mentor.pk]),
        {"category": "boundary", "description": "Asked for my home address twice."},
    )
    assert response.status_code == 302 and Case.objects.get().subject == cast.mentor.user
    assert not Block.objects.exists()  # the box was left unticked
    newcomer = mt.new_member(cast.inst_a, "mentee", "newcomer@alpha.edu")
    request = mt.pending_request(newcomer, pair.mentor)
    assert (
        reverse("care:report_request", args=[request.pk])
        in mentor.get(reverse("mentorships:inbox_detail", args=[request.pk])).content.decode()
    )
    bad = mentor.post(reverse("care:report_request", args=[request.pk]), {"category": "other", "description": "short"})
    assert bad.status_code == 400 and Case.objects.count() == 1
    mentor.post(
        reverse("care:report_request", args=[request.pk]),
        {"category": "other", "description": "The request contains threats.", "block": "on"},
    )
    assert Case.objects.filter(subject=newcomer.user).exists()
    request.refresh_from_db()
    assert request.state == RequestState.DECLINED  # the block closed it


def test_r37_a_wellbeing_concern_reaches_the_designated_contact_with_crisis_resources_shown(
    pair, cast, run, django_capture_on_commit_callbacks
):
    CarePolicy.objects.create(
        institution=cast.inst_a,
        wellbeing_contact_name="Alpha Student Wellness",
        wellbeing_contact_email="wellness@alpha.edu",
        crisis_resources="988 Suicide & Crisis Lifeline: call or text 988\nAlpha counselling: 555-0100",
    )
    client = cast.client_for(cast.mentor)
    url = reverse("care:concern", args=[pair.rel.pk])
    form = client.get(url).content.decode()
    assert "call or text 988" in form and "Alpha Student Wellness" in form
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"description": "She said she has not slept or eaten for days.", "urgent": "on"}, follow=True
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "call or text 988" in page and "Alpha counselling: 555-0100" in page
    case = Case.objects.get()
    assert case.kind == "concern" and case.urgent and case.institution == cast.inst_a and case.mentee_told
    to_contact = [m for m in mail.outbox if m.to == ["wellness@alpha.edu"]]
    assert len(to_contact) == 1 and to_contact[0].subject.startswith("URGENT")
    assert "not slept" in to_contact[0].body
    told = Notification.objects.get(user=cast.mentee.user, kind="care_concern")
    assert "Alpha Student Wellness" in told.body and "not slept" not in told.body
    assert cast.client_for(cast.mentee).get(url).status_code == 403  # mentees cannot raise one


def test_r37_the_mentee_is_not_told_when_the_institution_says_so(pair, cast, run):
    CarePolicy.objects.create(institution=cast.inst_a, tell_mentee_of_concern=False)
    case = run(
        services.concern_raise,
        acting=actor(cast.mentor),
        relationship=pair.rel,
        description="Mentioned feeling hopeless several times.",
        urgent=False,
    )
    assert not case.mentee_told
    assert not Notification.objects.filter(user=cast.mentee.user, kind="care_concern").exists()
    assert [m.to for m in mail.outbox if "concerned" in m.subject] == [["admin@alpha.edu"]]  # no contact set


def test_r37_staff_and_admins_handle_cases_with_status_owner_and_history(
    pair, cast, run, django_capture_on_commit_callbacks
):
    case = report(pair, run, block=False)
    staff, admin = cast.client_for(cast.staff), cast.client_for(cast.admin)
    url = reverse("care:case", args=[case.pk])
    assert staff.get(url).status_code == 200
    assert AuditEntry.objects.filter(action="care.case.view", actor=cast.staff).exists()
    staff.post(reverse("care:case_take", args=[case.pk]))
    staff.post(reverse("care:case_update", args=[case.pk]), {"status": "in_review", "note": "Called the reporter."})
    staff.post(reverse("care:case_update", args=[case.pk]), {"status": "resolved", "note": ""})
    case.refresh_from_db()
    assert (case.owner, case.status) == (cast.staff, CaseStatus.IN_REVIEW)  # resolving needs a note
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("care:case_update", args=[case.pk]), {"status": "resolved", "note": "Mentor removed."})
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.resolved_at
    assert [e.action for e in case.events.all()] == ["filed", "owner", "status", "status"]
    assert Notification.objects.filter(user=cast.mentee.user, title__contains="was resolved").exists()
    mine = cast.client_for(cast.mentee).get(reverse("care:my_reports")).content.decode()
    assert case.reference in mine and "Resolved" in mine and "Mentor removed" not in mine
    assert cast.client_for(cast.admin_b).get(url).status_code == 404
    assert cast.client_for(cast.mentor).get(url).status_code == 403
    listing = staff.get(reverse("care:cases") + "?status=resolved").content.decode()
    assert case.reference in listing


def test_r30_r36_the_at_risk_list_shows_facts_never_messages_goals_or_notes(pair, cast, run):
    from mentormemed.mentorships.models import Relationship

    Relationship.objects.filter(pk=pair.rel.pk).update(started_at=timezone.now() - dt.timedelta(days=120))
    Message.objects.create(
        relationship=pair.rel,
        sender=pair.mentee.user,
        body=SECRET_MESSAGE,
        created_at=timezone.now() - dt.timedelta(days=70),
    )
    Goal.objects.create(relationship=pair.rel, text=SECRET_GOAL)
    pair.rel.compact.expectations = SECRET_COMPACT
    pair.rel.compact.save()
    meeting(
        pair.rel,
        starts_at=timezone.now() - dt.timedelta(days=80),
        status="held",
        held_at=timezone.now() - dt.timedelta(days=80),
        notes=SECRET_NOTE,
    )
    case = report(pair, run, block=False)
    refresh_health(force=True)
    for who in (cast.admin, cast.staff):
        client = cast.client_for(who)
        page = client.get(reverse("care:at_risk")).content.decode()
        assert "no meeting in 80 days; last message 70 days ago; none booked" in page.lower()
        assert cast.mentee.user.display_name in page
        case_page = client.get(reverse("care:case", args=[case.pk])).content.decode()
        for text in (page, case_page):
            for secret in (SECRET_MESSAGE, SECRET_GOAL, SECRET_NOTE, SECRET_COMPACT):
                assert secret not in text
    assert (
        cast.mentee.user.display_name not in cast.client_for(cast.admin_b).get(reverse("care:at_risk")).content.decode()
    )


def test_r36_admins_reach_out_to_their_own_people(pair, cast, run, django_capture_on_commit_callbacks):
    refresh_health(force=True)
    admin = cast.client_for(cast.admin)
    url = reverse("care:reach_out", args=[pair.rel.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url, {"to": "both", "note": ""})
    told = Notification.objects.filter(kind="care_outreach")
    assert sorted(n.user.email for n in told) == ["mentee@alpha.edu", "mentor@alpha.edu"]
    assert "admin@alpha.edu" in told.first().body
    assert AuditEntry.objects.filter(action="care.outreach", actor=cast.admin.user).exists()
    assert cast.client_for(cast.admin_b).post(url, {"to": "both"}).status_code == 404


def test_r36_the_at_risk_list_runs_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    mentors = [mt.mentor_profile(cast.mentor, scope="local")]
    mentors += [mt.mentor_profile(mt.new_member(cast.inst_a, "mentor", f"t{i}@alpha.edu")) for i in range(3)]
    long_ago = timezone.now() - dt.timedelta(days=90)
    for i in range(12):
        mentee = mt.new_member(cast.inst_a, "mentee", f"q{i}@alpha.edu")
        mt.relationship(mentee, mentors[i % 4], started_at=long_ago)
    refresh_health(force=True)
    client = cast.client_for(cast.admin)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("care:at_risk"))
    assert page.status_code == 200 and page.content.decode().count('class="card mb-3"') == 12


def test_admins_set_the_policy_and_bad_values_change_nothing(cast):
    client = cast.client_for(cast.admin)
    url = reverse("care:settings")
    assert client.get(url).status_code == 200
    values = {
        "drift_days": 21,
        "at_risk_days": 45,
        "checkin_every_days": 90,
        "checkin_after_meetings": "on",
        "no_show_window_days": 90,
        "no_show_prompt_at": 2,
        "no_show_admin_at": 4,
        "wellbeing_contact_name": "Office of Student Affairs",
        "wellbeing_contact_email": "osa@alpha.edu",
        "wellbeing_contact_phone": "555-0101",
        "crisis_resources": "Call or text 988",
        "tell_mentee_of_concern": "on",
    }
    assert client.post(url, values).status_code == 302
    policy = CarePolicy.objects.get(institution=cast.inst_a)
    assert (policy.drift_days, policy.no_show_admin_at) == (21, 4)
    bad = client.post(url, {**values, "at_risk_days": 10})
    assert bad.status_code == 400 and "must come later" in bad.content.decode()
    policy.refresh_from_db()
    assert policy.at_risk_days == 45
    assert AuditEntry.objects.filter(action="care.policy.update").count() == 1


def test_r37_r10_a_blocked_national_mentor_leaves_results_and_facet_counts(pair, cast):
    from mentormemed.matching.search import SearchParams, mentor_search

    mt.fully_onboard(cast.mentor_b)
    national = mt.mentor_profile(cast.mentor_b, scope="national")

    def counted():
        result = mentor_search(viewer=cast.mentee, params=SearchParams())
        counts = {v.key: v.count for g in result.groups for v in g.values}
        return result.total, counts.get("lang:en", 0), {h.mentor.pk for h in result.hits}

    assert counted() == (2, 2, {pair.mentor.pk, national.pk})
    Block.objects.create(blocker=cast.mentor_b.user, blocked=cast.mentee.user)
    assert counted() == (1, 1, {pair.mentor.pk})
