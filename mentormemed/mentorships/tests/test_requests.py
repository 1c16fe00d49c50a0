"""Requests (R6, R7 gate; R12 full mentors; R13 limits; R28 the mentor sees the mentee first)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentormemed.accounts.models import AgreementAcceptance
from mentormemed.core.access import Actor
from mentormemed.mentorships import services, testing
from mentormemed.mentorships.models import MentorshipRequest, RequestState
from mentormemed.profiles.models import ContentArea, MentorProfile

MESSAGE = "I am a first-generation MS3 and would value your advice on applications."


def areas(*keys):
    return list(ContentArea.objects.filter(key__in=keys or ["research"]))


def send(pair, mentor=None, **kw):
    return services.request_send(
        acting=Actor.for_membership(kw.pop("mentee", pair.mentee)),
        mentor=mentor or pair.mentor,
        message=MESSAGE,
        areas=areas(),
        **kw,
    )


def test_r13_request_is_pending_with_deadline_and_mentor_is_emailed(pair, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = send(pair)
    assert request.state == RequestState.PENDING
    assert (request.deadline - request.created_at).days == 7
    assert [m.to for m in mail.outbox] == [["mentor@alpha.edu"]]
    body = mail.outbox[0].body
    assert reverse("mentorships:inbox_detail", args=[request.pk]) in body
    assert "asks you to be their mentor" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives and "<a href=" in mail.outbox[0].alternatives[0][0]


def test_r13_never_two_open_requests_to_the_same_mentor(pair):
    send(pair)
    with pytest.raises(ValidationError, match="already have a request waiting"):
        send(pair)
    assert MentorshipRequest.objects.count() == 1


def test_r13_database_refuses_a_second_open_request_for_the_pair(pair):
    from django.db import IntegrityError, transaction

    testing.pending_request(pair.mentee, pair.mentor)
    with pytest.raises(IntegrityError), transaction.atomic():
        testing.pending_request(pair.mentee, pair.mentor)


def test_r13_at_most_five_pending_requests(pair):
    mentors = [
        MentorProfile.objects.get(membership=testing.new_member(pair.cast.inst_a, "mentor", f"m{i}@alpha.edu"))
        for i in range(6)
    ]
    for mentor in mentors[:5]:
        send(pair, mentor=mentor)
    with pytest.raises(ValidationError, match="5 requests waiting"):
        send(pair, mentor=mentors[5])
    MentorshipRequest.objects.filter(mentor=mentors[0]).update(state=RequestState.WITHDRAWN)
    send(pair, mentor=mentors[5])  # a slot freed up


def test_r6_r7_gate_refusal_lists_missing_steps_with_links(pair):
    AgreementAcceptance.objects.filter(user=pair.mentee.user).delete()
    with pytest.raises(services.GateClosed) as caught:
        send(pair)
    assert [s.key for s in caught.value.steps] == ["agreement"]
    assert reverse("accounts:agreement") in caught.value.messages[0]
    assert not MentorshipRequest.objects.exists()


def test_r7_untrained_mentee_is_refused_with_the_training_link(cast):
    testing.mentor_profile(cast.mentor)
    mentor = MentorProfile.objects.get(membership=cast.mentor)
    with pytest.raises(services.GateClosed) as caught:  # cast.mentee has no training yet
        services.request_send(acting=Actor.for_membership(cast.mentee), mentor=mentor, message=MESSAGE, areas=areas())
    assert "training" in [s.key for s in caught.value.steps]
    assert reverse("training:modules") in str(caught.value)


def test_r6_request_page_shows_missing_steps_instead_of_the_form(cast):
    mentor = testing.mentor_profile(cast.mentor)
    AgreementAcceptance.objects.filter(user=cast.mentee.user).delete()
    page = cast.client_for(cast.mentee).get(reverse("mentorships:request_new", args=[mentor.pk]))
    assert page.status_code == 200
    assert b"Before you can send a request" in page.content
    assert reverse("accounts:agreement").encode() in page.content
    assert b"Send request" not in page.content


def test_r12_full_mentor_cannot_be_requested(pair):
    MentorProfile.objects.filter(pk=pair.mentor.pk).update(capacity=1, active_mentee_count=1)
    with pytest.raises(ValidationError, match="is full"):
        send(pair, mentor=MentorProfile.objects.get(pk=pair.mentor.pk))


def test_r13_suspended_mentor_cannot_be_requested(pair):
    from django.utils import timezone

    MentorProfile.objects.filter(pk=pair.mentor.pk).update(suspended_at=timezone.now())
    with pytest.raises(ValidationError, match="not taking requests"):
        send(pair)


def test_r9_local_mentor_of_another_institution_is_404_on_the_request_page(pair):
    client = pair.cast.client_for(pair.cast.mentee_b)
    assert client.get(reverse("mentorships:request_new", args=[pair.mentor.pk])).status_code == 404


def test_r13_send_through_the_page_and_withdraw(pair):
    client = pair.cast.client_for(pair.mentee)
    research = ContentArea.objects.get(key="research")
    response = client.post(
        reverse("mentorships:request_new", args=[pair.mentor.pk]), {"areas": [research.pk], "message": MESSAGE}
    )
    assert response.status_code == 302
    request = MentorshipRequest.objects.get()
    assert list(request.areas.all()) == [research]
    page = client.get(reverse("mentorships:requests"))
    assert b"Withdraw" in page.content
    client.post(reverse("mentorships:request_withdraw", args=[request.pk]))
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.request_withdraw(acting=Actor.for_user(pair.mentee.user), request=request)


def test_r11_request_is_logged_as_a_search_event(pair):
    from mentormemed.matching.models import SearchEvent

    send(pair)
    assert SearchEvent.objects.filter(mentor=pair.mentor, kind="requested").count() == 1


def test_r28_inbox_shows_the_mentee_profile_message_and_deadline(pair):
    request = send(pair)
    client = pair.cast.client_for(pair.cast.mentor)
    page = client.get(reverse("mentorships:inbox_detail", args=[request.pk])).content.decode()
    assert MESSAGE in page
    assert "Residency applications" in page  # the mentee's areas of need (profile)
    assert "MS3" in page
    assert "Answer by" in page
    inbox = client.get(reverse("mentorships:inbox")).content.decode()
    assert MESSAGE in inbox and "Free places" in inbox


def test_r28_another_mentors_request_is_404(pair):
    request = send(pair)
    other = testing.new_member(pair.cast.inst_a, "mentor", "other.mentor@alpha.edu")
    client = pair.cast.client_for(other)
    assert client.get(reverse("mentorships:inbox_detail", args=[request.pk])).status_code == 404
    assert client.post(reverse("mentorships:request_accept", args=[request.pk])).status_code == 404


def test_r13_decline_tells_the_mentee_with_the_message(pair, django_capture_on_commit_callbacks):
    request = send(pair)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decline(
            acting=Actor.for_user(pair.cast.mentor.user), request=request, message="My clinic year is full."
        )
    assert request.state == RequestState.DECLINED
    assert [m.to for m in mail.outbox] == [["mentee@alpha.edu"]]
    assert "My clinic year is full." in mail.outbox[0].body
    assert reverse("mentorships:network") in mail.outbox[0].body


def test_deadlines_show_in_the_viewers_own_time_zone(pair):
    import datetime as dt

    request = send(pair)
    friday = dt.datetime(2030, 12, 6, 18, 0, tzinfo=dt.UTC)  # in the future, whenever the test runs
    MentorshipRequest.objects.filter(pk=request.pk).update(deadline=friday)
    mentor_user = pair.cast.mentor.user
    url = reverse("mentorships:inbox_detail", args=[request.pk])
    for zone, shown in (("America/Chicago", "12:00 PM"), ("America/Los_Angeles", "10:00 AM")):
        mentor_user.time_zone = zone
        mentor_user.save(update_fields=["time_zone"])
        page = pair.cast.client_for(pair.cast.mentor).get(url).content.decode()
        assert f"Friday, December 6, {shown}" in page, zone


def test_r27_recommendations_leave_out_current_mentors_and_pending_requests(pair):
    from mentormemed.matching.selectors import recommend

    waiting = testing.mentor_profile(testing.new_member(pair.cast.inst_a, "mentor", "waiting@alpha.edu"))
    other = testing.mentor_profile(testing.new_member(pair.cast.inst_a, "mentor", "other@alpha.edu"))
    testing.relationship(pair.mentee, pair.mentor)
    send(pair, mentor=waiting)
    shown = {r.mentor.pk for r in recommend(mentee=pair.mentee, limit=10)}
    assert {pair.mentor.pk, waiting.pk, other.pk} <= shown  # the selector alone would offer all three
    page = pair.cast.client_for(pair.mentee).get(reverse("matching:recommended")).content.decode()
    assert reverse("matching:mentor", args=[other.pk]) in page
    for tied in (pair.mentor, waiting):
        assert reverse("matching:mentor", args=[tied.pk]) not in page
