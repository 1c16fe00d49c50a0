"""R17: free slots — daylight-saving changes, zones, buffers, notice, horizon, dates off, other mentees."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import time_machine

from mentormemed.mentorships.testing import new_member, relationship
from mentormemed.scheduling import selectors
from mentormemed.scheduling.models import DateOff
from mentormemed.scheduling.slots import Rules, free_slots
from mentormemed.scheduling.testing import meeting, weekday_availability

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC


def rules(windows, *, zone="America/New_York", buffer=0, notice=0, horizon=30, dates_off=()):
    return Rules(
        time_zone=zone,
        windows=windows,
        dates_off=frozenset(dates_off),
        buffer=dt.timedelta(minutes=buffer),
        notice=dt.timedelta(hours=notice),
        horizon=dt.timedelta(days=horizon),
    )


def test_r17_spring_forward_week_keeps_a_9am_window_at_9am_local():
    """US spring-forward (Sunday 8 March 2026): Monday 09:00 New York is 14:00 UTC before and 13:00 UTC after."""
    now = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)
    slots = free_slots(
        rules=rules([(0, dt.time(9), dt.time(10))]), length=60, busy=[], now=now, end=now + dt.timedelta(days=9)
    )
    assert [s.starts_at for s in slots] == [
        dt.datetime(2026, 3, 2, 14, tzinfo=UTC),
        dt.datetime(2026, 3, 9, 13, tzinfo=UTC),
    ]
    assert all(s.starts_at.astimezone(NY).time() == dt.time(9) for s in slots)
    assert all(s.ends_at - s.starts_at == dt.timedelta(hours=1) for s in slots)


def test_r17_fall_back_week_keeps_a_9am_window_at_9am_local():
    """US fall-back (Sunday 1 November 2026): Monday 09:00 New York is 13:00 UTC before and 14:00 UTC after."""
    now = dt.datetime(2026, 10, 25, 12, tzinfo=UTC)
    slots = free_slots(
        rules=rules([(0, dt.time(9), dt.time(10))]), length=60, busy=[], now=now, end=now + dt.timedelta(days=9)
    )
    assert [s.starts_at for s in slots] == [
        dt.datetime(2026, 10, 26, 13, tzinfo=UTC),
        dt.datetime(2026, 11, 2, 14, tzinfo=UTC),
    ]
    assert all(s.starts_at.astimezone(NY).time() == dt.time(9) for s in slots)


def test_r17_window_across_the_spring_forward_gap_offers_exact_hours():
    """Sunday 01:00–04:00 on 8 March 2026 is two real hours: slots at 1:00 and 1:30 EST, then 3:00 EDT."""
    now = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)
    slots = free_slots(
        rules=rules([(6, dt.time(1), dt.time(4))]),
        length=60,
        busy=[],
        now=now,
        start=dt.datetime(2026, 3, 8, tzinfo=UTC),
        end=dt.datetime(2026, 3, 9, tzinfo=UTC),
    )
    local = [(s.starts_at.astimezone(NY).strftime("%H:%M %Z")) for s in slots]
    assert local == ["01:00 EST", "01:30 EST", "03:00 EDT"]
    assert all(s.ends_at - s.starts_at == dt.timedelta(hours=1) for s in slots)


def test_r17_window_across_the_fall_back_hour_offers_the_repeated_hour_once_each():
    """Sunday 01:00–03:00 on 1 November 2026 is three real hours; 1:00 happens twice (EDT, then EST)."""
    now = dt.datetime(2026, 10, 25, 12, tzinfo=UTC)
    slots = free_slots(
        rules=rules([(6, dt.time(1), dt.time(3))]),
        length=60,
        busy=[],
        now=now,
        start=dt.datetime(2026, 11, 1, tzinfo=UTC),
        end=dt.datetime(2026, 11, 2, tzinfo=UTC),
    )
    local = [(s.starts_at.astimezone(NY).strftime("%H:%M %Z")) for s in slots]
    assert local == ["01:00 EDT", "01:30 EDT", "01:00 EST", "01:30 EST", "02:00 EST"]
    assert len({s.starts_at for s in slots}) == 5


def test_r17_buffer_keeps_time_clear_around_a_meeting():
    now = dt.datetime(2026, 6, 1, 4, tzinfo=UTC)  # Monday 00:00 New York
    busy = [(dt.datetime(2026, 6, 1, 14, tzinfo=UTC), dt.datetime(2026, 6, 1, 15, tzinfo=UTC))]  # 10:00–11:00
    slots = free_slots(
        rules=rules([(0, dt.time(9), dt.time(14))], buffer=15),
        length=60,
        busy=busy,
        now=now,
        end=dt.datetime(2026, 6, 2, tzinfo=UTC),
    )
    local = [s.starts_at.astimezone(NY).strftime("%H:%M") for s in slots]
    # 9:00 would end at 10:00 with no buffer before the meeting; 11:00 would start with none after it.
    assert local == ["11:30", "12:00", "12:30", "13:00"]
    no_buffer = free_slots(
        rules=rules([(0, dt.time(9), dt.time(14))]),
        length=60,
        busy=busy,
        now=now,
        end=dt.datetime(2026, 6, 2, tzinfo=UTC),
    )
    assert [s.starts_at.astimezone(NY).strftime("%H:%M") for s in no_buffer][:2] == ["09:00", "11:00"]


def test_r17_minimum_notice_and_horizon_bound_the_offered_slots():
    now = dt.datetime(2026, 6, 1, 12, tzinfo=UTC)  # Monday 08:00 New York
    slots = free_slots(
        rules=rules([(d, dt.time(9), dt.time(10)) for d in range(7)], notice=24, horizon=7), length=60, busy=[], now=now
    )
    days = [s.starts_at.astimezone(NY).date() for s in slots]
    # Monday 9:00 is only an hour away (notice 24 h); next Monday 9:00 is past the 7-day horizon (08:00).
    assert days == [dt.date(2026, 6, d) for d in range(2, 8)]
    assert all(s.starts_at >= now + dt.timedelta(hours=24) for s in slots)
    assert all(s.starts_at <= now + dt.timedelta(days=7) for s in slots)


def test_r17_dates_off_are_never_offered():
    now = dt.datetime(2026, 6, 1, 4, tzinfo=UTC)
    slots = free_slots(
        rules=rules([(d, dt.time(9), dt.time(10)) for d in range(5)], dates_off={dt.date(2026, 6, 3)}),
        length=60,
        busy=[],
        now=now,
        end=now + dt.timedelta(days=5),
    )
    assert dt.date(2026, 6, 3) not in {s.starts_at.astimezone(NY).date() for s in slots}
    assert len(slots) == 4


def test_r17_several_windows_a_day(cast, rel):
    availability = weekday_availability(
        rel.mentor, windows=[(1, dt.time(9), dt.time(10)), (1, dt.time(15), dt.time(16))], notice_hours=0
    )
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        slots = selectors.bookable_slots(
            relationship=rel, availability=availability, length=60, end=dt.datetime(2026, 6, 3, tzinfo=UTC)
        )
    assert [s.starts_at.astimezone(NY).strftime("%a %H:%M") for s in slots] == ["Tue 09:00", "Tue 15:00"]


def test_r17_slots_taken_with_any_of_the_mentors_mentees_are_not_offered(cast, rel, avail):
    other_mentee = new_member(cast.inst_a, "mentee", "second.mentee@alpha.edu")
    other = relationship(other_mentee, rel.mentor)
    with time_machine.travel(dt.datetime(2026, 6, 1, 4, tzinfo=UTC), tick=False):
        taken = dt.datetime(2026, 6, 3, 14, tzinfo=UTC)  # Wednesday 10:00 New York
        meeting(other, starts_at=taken, minutes=60)
        slots = selectors.bookable_slots(relationship=rel, availability=avail, length=30)
    starts = {s.starts_at for s in slots}
    assert taken not in starts
    assert dt.datetime(2026, 6, 3, 14, 30, tzinfo=UTC) not in starts
    # The 15-minute buffer also removes 9:30 (ends 10:00) and 11:00 (starts right after); 11:30 is free.
    assert dt.datetime(2026, 6, 3, 13, 30, tzinfo=UTC) not in starts
    assert dt.datetime(2026, 6, 3, 15, 30, tzinfo=UTC) in starts


def test_r17_a_cancelled_meeting_frees_its_slot(cast, rel, avail):
    with time_machine.travel(dt.datetime(2026, 6, 1, 4, tzinfo=UTC), tick=False):
        taken = dt.datetime(2026, 6, 3, 14, tzinfo=UTC)
        meeting(rel, starts_at=taken, minutes=60, status="cancelled")
        slots = selectors.bookable_slots(relationship=rel, availability=avail, length=60)
    assert taken in {s.starts_at for s in slots}


def test_r17_date_off_model_blocks_the_local_date(cast, rel, avail):
    DateOff.objects.create(availability=avail, date=dt.date(2026, 6, 3))
    with time_machine.travel(dt.datetime(2026, 6, 1, 4, tzinfo=UTC), tick=False):
        slots = selectors.bookable_slots(relationship=rel, availability=avail, length=60)
    assert dt.date(2026, 6, 3) not in {s.starts_at.astimezone(NY).date() for s in slots}
    assert dt.date(2026, 6, 4) in {s.starts_at.astimezone(NY).date() for s in slots}
