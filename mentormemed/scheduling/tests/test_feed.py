"""R17: the private, revocable calendar feed, read back with recurring-ical-events."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import recurring_ical_events
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.mentorships.testing import mentor_profile, new_member, relationship
from mentormemed.scheduling import services
from mentormemed.scheduling.models import CalendarFeed
from mentormemed.scheduling.testing import meeting

UTC = dt.UTC


def feed_path(token: str) -> str:
    return reverse("scheduling:feed", args=[token])


def read_feed(client, token: str):
    response = client.get(feed_path(token))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_r17_feed_lists_the_persons_live_meetings_at_the_right_instants(cast, rel, client):
    start = dt.datetime.now(UTC).replace(microsecond=0, second=0) + dt.timedelta(days=3)
    kept = meeting(rel, starts_at=start, minutes=45)
    meeting(rel, starts_at=start + dt.timedelta(days=1), status="cancelled")
    # Someone else's meeting (another mentor) never shows in this mentee's feed.
    other_mentor = mentor_profile(new_member(cast.inst_a, "mentor", "other.mentor@alpha.edu"))
    other_rel = relationship(new_member(cast.inst_a, "mentee", "other.mentee@alpha.edu"), other_mentor)
    meeting(other_rel, starts_at=start)

    token = services.feed_create(acting=Actor.for_user(cast.mentee.user))
    calendar = read_feed(client, token)
    events = recurring_ical_events.of(calendar).between(start - dt.timedelta(days=1), start + dt.timedelta(days=5))
    assert len(events) == 1
    (event,) = events
    assert str(event["UID"]) == f"{kept.uid}@mentormemed.org"
    assert event["DTSTART"].dt == start and event["DTEND"].dt == start + dt.timedelta(minutes=45)
    assert "METHOD" not in calendar
    assert "ATTENDEE" not in event and "mailto:" not in calendar.to_ical().decode()
    # The mentor's own feed has the same meeting.
    mentor_calendar = read_feed(client, services.feed_create(acting=Actor.for_user(cast.mentor.user)))
    assert [str(e["UID"]) for e in mentor_calendar.walk("VEVENT")] == [str(event["UID"])]


def test_r17_feed_token_is_unguessable_and_stored_only_as_a_hash(cast):
    token = services.feed_create(acting=Actor.for_user(cast.mentee.user))
    assert len(token) >= 43  # 256 random bits, URL-safe
    feed = CalendarFeed.objects.get(user=cast.mentee.user)
    assert token not in feed.token_hash and len(feed.token_hash) == 64


def test_r17_revoked_feed_answers_404_and_a_new_one_replaces_it(cast, client):
    first = services.feed_create(acting=Actor.for_user(cast.mentee.user))
    assert client.get(feed_path(first)).status_code == 200
    second = services.feed_create(acting=Actor.for_user(cast.mentee.user))  # regenerate
    assert client.get(feed_path(first)).status_code == 404
    assert client.get(feed_path(second)).status_code == 200
    assert services.feed_revoke(acting=Actor.for_user(cast.mentee.user))
    assert client.get(feed_path(second)).status_code == 404
    assert client.get(feed_path("not-a-real-token")).status_code == 404


def test_r17_feed_buttons_show_the_address_once(cast):
    client = cast.client_for(cast.mentee)
    response = client.post(reverse("scheduling:feed_new"), follow=True)
    page = response.content.decode()
    match = re.search(r'value="(http[^"]+/meetings/feed/[^"]+\.ics)"', page)
    assert match, "the new address is shown after creating it"
    assert "webcal://" in page
    again = client.get(reverse("scheduling:meetings")).content.decode()
    assert match.group(1) not in again  # only the hash is kept
    token = match.group(1).rsplit("/", 1)[-1].removesuffix(".ics")
    assert client.get(feed_path(token)).status_code == 200
    client.post(reverse("scheduling:feed_revoke"))
    assert client.get(feed_path(token)).status_code == 404


def _lapse(institution) -> None:
    today = dt.date.today()
    institution.subscriptions.update(term_start=today - dt.timedelta(days=400), term_end=today - dt.timedelta(days=1))


def test_r1_a_suspended_membership_or_lapsed_subscription_empties_the_feed(cast, rel, client):
    start = dt.datetime.now(UTC).replace(microsecond=0, second=0) + dt.timedelta(days=3)
    meeting(rel, starts_at=start)
    token = services.feed_create(acting=Actor.for_user(cast.mentee.user))
    assert len(read_feed(client, token).walk("VEVENT")) == 1
    type(cast.mentee).objects.filter(pk=cast.mentee.pk).update(status="suspended")
    assert read_feed(client, token).walk("VEVENT") == [], "a suspended membership shows no meetings"
    type(cast.mentee).objects.filter(pk=cast.mentee.pk).update(status="active")
    assert len(read_feed(client, token).walk("VEVENT")) == 1
    _lapse(cast.inst_a)
    assert read_feed(client, token).walk("VEVENT") == [], "a lapsed subscription shows no meetings"
    assert read_feed(client, services.feed_create(acting=Actor.for_user(cast.mentor.user))).walk("VEVENT") == []
