"""Mentee accountability: no-shows marked by the other side, prompts and admin escalation, mentor
no-shows against responsiveness (R13), and a mentee with two mentors for one need."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentormemed.care import services
from mentormemed.care.models import CarePolicy, DuplicateNeed, NoShow
from mentormemed.core.access import Actor
from mentormemed.mentorships import services as mentorships
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.selectors import responsiveness
from mentormemed.notifications.models import Notification
from mentormemed.profiles.models import MentorProfile
from mentormemed.scheduling import services as scheduling
from mentormemed.scheduling.models import MeetingStatus
from mentormemed.scheduling.testing import meeting


def started(rel, hours=1):
    return meeting(rel, starts_at=timezone.now() - dt.timedelta(hours=hours))


def test_the_mentor_marks_the_mentee_absent_and_the_meeting_is_no_longer_live(pair, run):
    m = started(pair.rel)
    record = run(services.no_show_mark, acting=Actor.for_user(pair.mentor.membership.user), meeting=m)
    m.refresh_from_db()
    assert (record.absent_side, record.absent_user) == ("mentee", pair.mentee.user)
    assert m.status == MeetingStatus.CANCELLED and m.cancelled_by is None
    told = Notification.objects.get(user=pair.mentee.user, kind="care_accountability")
    assert "marked that you missed" in told.title
    with pytest.raises(ValidationError, match="has started"):
        scheduling.meeting_mark_held(meeting=m, acting=Actor.for_user(pair.mentee.user))
    with pytest.raises(ValidationError):
        services.no_show_mark(acting=Actor.for_user(pair.mentee.user), meeting=m)


def test_a_no_show_needs_a_started_recent_meeting_of_ones_own(pair, cast):
    future = meeting(pair.rel, starts_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="once it has started"):
        services.no_show_mark(acting=Actor.for_user(pair.mentor.membership.user), meeting=future)
    old = started(pair.rel, hours=24 * 15)
    with pytest.raises(ValidationError, match="up to 14 days"):
        services.no_show_mark(acting=Actor.for_user(pair.mentor.membership.user), meeting=old)
    with pytest.raises(ValidationError, match="Only the mentee and the mentor"):
        services.no_show_mark(acting=Actor.for_user(cast.admin.user), meeting=started(pair.rel, hours=3))
    assert not NoShow.objects.exists()


def test_repeated_mentee_no_shows_prompt_the_mentee_then_tell_their_admin(pair, run, cast):
    mentor_user = pair.mentor.membership.user
    for hours in (50, 30):
        run(services.no_show_mark, acting=Actor.for_user(mentor_user), meeting=started(pair.rel, hours=hours))
    prompts = Notification.objects.filter(user=pair.mentee.user, title__startswith="You have missed")
    assert prompts.count() == 1 and "2 meetings in 90 days" in prompts.get().title
    assert not Notification.objects.filter(user=cast.admin.user, kind="care_admin").exists()
    run(services.no_show_mark, acting=Actor.for_user(mentor_user), meeting=started(pair.rel, hours=5))
    admin_note = Notification.objects.get(user=cast.admin.user, kind="care_admin")
    assert "has missed 3 meetings" in admin_note.title and admin_note.url == reverse("care:at_risk")
    assert not Notification.objects.filter(user=cast.admin_b.user, kind="care_admin").exists()


def test_the_thresholds_are_the_institutions(pair, run, cast):
    CarePolicy.objects.create(institution=cast.inst_a, no_show_prompt_at=1, no_show_admin_at=1)
    run(services.no_show_mark, acting=Actor.for_user(pair.mentor.membership.user), meeting=started(pair.rel))
    assert Notification.objects.filter(user=cast.admin.user, kind="care_admin").exists()


def test_r13_mentor_no_shows_count_against_responsiveness(pair, run, cast):
    for i in range(2):  # three answered requests in all: enough to be measured (profiles.responsiveness)
        asked = mt.pending_request(mt.new_member(cast.inst_a, "mentee", f"asker{i}@alpha.edu"), pair.mentor)
        mentorships.request_decline(acting=Actor.for_user(pair.mentor.membership.user), request=asked)
    before = responsiveness(mentor=pair.mentor)
    assert before.answer_rate == 1.0 and before.decided == 3
    run(services.no_show_mark, acting=Actor.for_user(pair.mentee.user), meeting=started(pair.rel))
    after = responsiveness(mentor=pair.mentor)
    assert after.decided == 4 and after.answer_rate == 0.75  # the missed meeting: an occasion not answered
    assert MentorProfile.objects.get(pk=pair.mentor.pk).answer_rate == 0.75  # stored for ranking and display


def test_a_second_mentor_for_the_same_need_asks_the_mentee_which_to_keep(pair, cast, run):
    other = mt.new_member(cast.inst_a, "mentor", "second@alpha.edu", areas=("research",), scope="local")
    profile = MentorProfile.objects.get(membership=other)
    request = mt.pending_request(cast.mentee, profile, areas=("research",))
    second = run(mentorships.request_accept, acting=Actor.for_user(other.user), request=request)
    duplicate = DuplicateNeed.objects.get()
    assert (duplicate.first, duplicate.second, duplicate.areas) == (pair.rel, second, "Research")
    note = Notification.objects.get(user=cast.mentee.user, kind="care_duplicate")
    assert note.url == reverse("care:duplicate", args=[duplicate.pk])

    client = cast.client_for(cast.mentee)
    page = client.get(note.url)
    assert page.status_code == 200 and b"Keep both" in page.content
    assert cast.client_for(cast.mentee_b).get(note.url).status_code == 404
    client.post(note.url, {"keep": "first"})
    second.refresh_from_db()
    pair.rel.refresh_from_db()
    assert second.ended_at is not None and pair.rel.ended_at is None
    assert client.get(note.url).status_code == 404  # answered
