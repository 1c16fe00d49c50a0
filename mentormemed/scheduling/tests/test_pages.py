"""R17 pages: availability form, booking page in the viewer's zone, meetings list, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from mentormemed.mentorships.models import Relationship
from mentormemed.mentorships.testing import new_member, relationship
from mentormemed.scheduling.models import Availability, DateOff, Meeting
from mentormemed.scheduling.testing import meeting, weekday_availability

UTC = dt.UTC


def cover(cast, moment: dt.datetime) -> None:
    """Let institution A's subscription cover a travelled-to date (R1 would pause the pages otherwise)."""
    day = moment.date()
    cast.inst_a.subscriptions.update(term_start=day - dt.timedelta(days=30), term_end=day + dt.timedelta(days=300))


def test_r17_mentor_saves_weekly_windows_rules_and_link_preference(cast, rel):
    client = cast.client_for(cast.mentor)
    assert client.get(reverse("scheduling:availability")).status_code == 200
    response = client.post(
        reverse("scheduling:availability"),
        {
            "time_zone": "America/Chicago",
            "lengths": ["30", "60"],
            "buffer_minutes": "10",
            "notice_hours": "12",
            "horizon_days": "21",
            "link_kind": "place",
            "place": "Room 4B, Medical Education Building",
            "day_0": "09:00-12:00, 14:00-16:30",
            "day_3": "8-10",
        },
    )
    assert response.status_code == 302
    availability = Availability.objects.get(mentor=rel.mentor)
    assert (availability.time_zone, availability.lengths, availability.buffer_minutes) == (
        "America/Chicago",
        [30, 60],
        10,
    )
    assert (availability.notice_hours, availability.horizon_days, availability.place) == (
        12,
        21,
        "Room 4B, Medical Education Building",
    )
    assert [str(w) for w in availability.windows.all()] == [
        "Monday 9:00 AM–12:00 PM",
        "Monday 2:00 PM–4:30 PM",
        "Thursday 8:00 AM–10:00 AM",
    ]
    page = client.get(reverse("scheduling:availability")).content.decode()
    assert 'value="09:00-12:00, 14:00-16:30"' in page


def _week_form(days: dict[str, str]) -> dict[str, object]:
    """The availability form with its settings filled and ``days`` as the week's windows."""
    return {
        "time_zone": "America/New_York",
        "lengths": ["30"],
        "buffer_minutes": "0",
        "notice_hours": "0",
        "horizon_days": "30",
        "link_kind": "generated",
        **days,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("day_0", "09:00-12:00, 11:00-13:00", "overlap"),
        ("day_1", "noon to three", "not a time range"),
        ("day_2", "14:00-09:00", "ends before"),
    ],
)
def test_r17_bad_windows_are_explained(cast, rel, field, value, message):
    response = cast.client_for(cast.mentor).post(
        reverse("scheduling:availability"),
        _week_form({field: value}),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Availability.objects.filter(mentor=rel.mentor, windows__isnull=False).exists()


@pytest.mark.parametrize(
    ("language", "label", "message"),
    [
        ("en", "Monday windows", "Two windows on Monday overlap (9:00 AM–12:00 PM and 11:00 AM–1:00 PM)."),
        ("es", "Franjas del lunes", "Dos franjas del lunes se superponen (09:00–12:00 y 11:00–13:00)."),
    ],
)
def test_r39_the_week_and_its_overlap_error_read_in_the_mentors_language(cast, rel, language, label, message):
    """R39, issue 19: day names were English literals ("Franjas del Monday") and the overlap error wrote
    its times by hand; both follow the reader's language and TIME_FORMAT now."""
    cast.mentor.user.language = language
    cast.mentor.user.save(update_fields=["language"])
    response = cast.client_for(cast.mentor).post(
        reverse("scheduling:availability"),
        _week_form({"day_0": "09:00-12:00, 11:00-13:00"}),
    )
    page = response.content.decode()
    assert label in page and message in page, page


def test_r17_own_link_needs_a_link(cast, rel):
    response = cast.client_for(cast.mentor).post(
        reverse("scheduling:availability"),
        {
            "time_zone": "America/New_York",
            "lengths": ["30"],
            "buffer_minutes": "0",
            "notice_hours": "0",
            "horizon_days": "30",
            "link_kind": "own",
            "day_0": "09:00-10:00",
        },
    )
    assert "Add your own video link" in response.content.decode()


def test_r17_dates_off_add_and_remove(cast, rel, avail):
    client = cast.client_for(cast.mentor)
    day = dt.date.today() + dt.timedelta(days=10)
    client.post(reverse("scheduling:date_off_add"), {"date": day.isoformat(), "note": "Conference"})
    off = DateOff.objects.get(availability=avail)
    assert off.date == day
    # Another mentor cannot remove it.
    other = new_member(cast.inst_a, "mentor", "other.mentor@alpha.edu")
    assert cast.client_for(other).post(reverse("scheduling:date_off_remove", args=[off.pk])).status_code == 404
    client.post(reverse("scheduling:date_off_remove", args=[off.pk]))
    assert not DateOff.objects.exists()


def test_r17_booking_page_shows_free_times_in_the_viewers_zone(cast, rel):
    """Mentor in Los Angeles, mentee in London: 9:00 Pacific is 17:00 London before 8 March 2026,
    16:00 between the US and UK changes, and 17:00 again after 29 March."""
    weekday_availability(
        rel.mentor,
        time_zone="America/Los_Angeles",
        windows=[(0, dt.time(9), dt.time(10))],
        lengths=[60],
        notice_hours=0,
        horizon_days=60,
    )
    cast.mentee.user.time_zone = "Europe/London"
    cast.mentee.user.save()
    client = cast.client_for(cast.mentee)
    url = reverse("scheduling:book", args=[rel.pk])
    cover(cast, dt.datetime(2026, 3, 1, 12, tzinfo=UTC))
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False):
        week0 = client.get(url).content.decode()
        week1 = client.get(url + "?week=1").content.decode()
        week4 = client.get(url + "?week=4").content.decode()
    assert 'value="2026-03-02T17:00Z"' in week0 and "5:00 PM" in week0
    assert 'value="2026-03-09T16:00Z"' in week1 and "4:00 PM" in week1
    assert 'value="2026-03-30T16:00Z"' in week4 and "5:00 PM" in week4
    assert "Europe/London" in week0


def test_r17_book_through_the_page_and_see_it_on_both_sides(cast, rel, avail, django_capture_on_commit_callbacks):
    client = cast.client_for(cast.mentee)
    cover(cast, dt.datetime(2026, 6, 1, 12, tzinfo=UTC))
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("scheduling:book", args=[rel.pk]),
                {"slot": "2026-06-03T14:00Z", "length": "30", "agenda": "Step 1 plan"},
            )
        m = Meeting.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("scheduling:meeting", args=[m.pk])
        assert (m.agenda, m.minutes) == ("Step 1 plan", 30)
        for who in (cast.mentee, cast.mentor):
            page = cast.client_for(who).get(reverse("scheduling:meetings")).content.decode()
            assert "Wednesday, June 3, 2026 · 10:00 AM" in page
            home = cast.client_for(who).get(reverse("core:home")).content.decode()
            assert reverse("scheduling:meeting", args=[m.pk]) in home


def test_r17_booking_in_another_persons_relationship_is_404(cast, rel, avail):
    stranger = new_member(cast.inst_a, "mentee", "stranger@alpha.edu")
    url = reverse("scheduling:book", args=[rel.pk])
    assert cast.client_for(stranger).get(url).status_code == 404
    assert cast.client_for(stranger).post(url, {"slot": "2026-06-03T14:00Z"}).status_code == 404
    assert cast.client_for(cast.mentee_b).get(url).status_code == 404
    assert cast.client_for(cast.admin).get(url).status_code == 403


def test_r17_ended_relationship_offers_no_booking(cast, rel, avail):
    Relationship.objects.filter(pk=rel.pk).update(ended_at=dt.datetime.now(UTC))
    page = cast.client_for(cast.mentee).get(reverse("scheduling:book", args=[rel.pk])).content.decode()
    assert "has ended" in page and 'name="slot"' not in page


def test_r17_meetings_page_has_bounded_queries(cast, rel, avail, django_assert_max_num_queries):
    now = dt.datetime.now(UTC).replace(microsecond=0)
    pairs = [rel] + [relationship(new_member(cast.inst_a, "mentee", f"m{i}@alpha.edu"), rel.mentor) for i in (1, 2)]
    for i in range(12):
        r = pairs[i % 3]
        meeting(r, starts_at=now + dt.timedelta(days=i + 1, hours=i))
        meeting(r, starts_at=now - dt.timedelta(days=i + 1, hours=i), status="held")
    client = cast.client_for(cast.mentor)
    client.get(reverse("scheduling:meetings"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("scheduling:meetings"))
    assert response.content.decode().count("Meeting with") >= 24


def test_r17_mark_held_and_cancel_through_the_page(cast, rel, avail):
    past = meeting(rel, starts_at=dt.datetime.now(UTC) - dt.timedelta(hours=2))
    future = meeting(rel, starts_at=dt.datetime.now(UTC) + dt.timedelta(days=2))
    client = cast.client_for(cast.mentee)
    client.post(reverse("scheduling:held", args=[past.pk]))
    client.post(reverse("scheduling:cancel", args=[future.pk]), {"reason": "Sick"})
    past.refresh_from_db()
    future.refresh_from_db()
    rel.refresh_from_db()
    assert (past.status, future.status, future.cancel_reason, rel.stage) == ("held", "cancelled", "Sick", "cultivation")
    ics = client.get(reverse("scheduling:invite", args=[future.pk]))
    assert b"METHOD:CANCEL" in ics.content and b"STATUS:CANCELLED" in ics.content


def test_r17_a_range_of_dates_off_is_added_shown_as_one_line_and_removed_together(cast, rel, avail):
    client = cast.client_for(cast.mentor)
    first = dt.date.today() + dt.timedelta(days=10)
    client.post(
        reverse("scheduling:date_off_add"),
        {"date": first.isoformat(), "end": (first + dt.timedelta(days=4)).isoformat(), "note": "Conference"},
    )
    assert DateOff.objects.filter(availability=avail).count() == 5
    page = client.get(reverse("scheduling:availability")).content.decode()
    assert page.count("Conference") == 1 and "(5 days)" in page
    off = DateOff.objects.filter(availability=avail).order_by("date").first()
    client.post(
        reverse("scheduling:date_off_remove", args=[off.pk]), {"through": (first + dt.timedelta(days=4)).isoformat()}
    )
    assert not DateOff.objects.exists()


def test_r17_a_backwards_or_overlong_range_changes_nothing(cast, rel, avail):
    client = cast.client_for(cast.mentor)
    first = dt.date.today() + dt.timedelta(days=10)
    response = client.post(
        reverse("scheduling:date_off_add"),
        {"date": first.isoformat(), "end": (first - dt.timedelta(days=2)).isoformat()},
    )
    assert "before the first" in client.get(response["Location"]).content.decode()
    client.post(
        reverse("scheduling:date_off_add"),
        {"date": first.isoformat(), "end": (first + dt.timedelta(days=200)).isoformat()},
    )
    assert not DateOff.objects.exists()
