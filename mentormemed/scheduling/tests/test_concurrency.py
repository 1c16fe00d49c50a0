"""R17: two simultaneous bookings of one slot end with exactly one meeting (PostgreSQL: exclusion constraint)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from mentormemed.core.access import Actor
from mentormemed.mentorships.testing import new_member, relationship
from mentormemed.scheduling import services
from mentormemed.scheduling.models import Meeting
from mentormemed.scheduling.testing import meeting

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=UTC)
SLOT = dt.datetime(2026, 6, 3, 14, tzinfo=UTC)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the exclusion constraint and real concurrent connections")


@pytest.fixture
def covered(cast):
    """The institutions' subscriptions cover NOW (R1 refuses bookings while access is paused)."""
    day = NOW.date()
    cast.inst_a.subscriptions.update(term_start=day - dt.timedelta(days=30), term_end=day + dt.timedelta(days=300))


def test_r17_concurrent_bookings_of_one_slot_make_exactly_one_meeting(cast, rel, avail, covered):
    second = relationship(new_member(cast.inst_a, "mentee", "second.mentee@alpha.edu"), rel.mentor)
    relationships = [rel, second] * 3
    barrier = threading.Barrier(len(relationships))
    outcomes: list[str] = []

    def attempt(r):
        try:
            with time_machine.travel(NOW, tick=False):
                barrier.wait()
                services.meeting_book(relationship=r, acting=Actor.for_user(r.mentee.user), starts_at=SLOT, length=60)
            outcomes.append("booked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in relationships]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked"] + ["refused"] * (len(relationships) - 1)
    assert Meeting.objects.filter(starts_at=SLOT).count() == 1


def test_r17_database_refuses_overlap_even_without_the_service(cast, rel):
    """The exclusion constraint holds on its own: a raw insert of an overlapping live meeting fails."""
    meeting(rel, starts_at=SLOT, minutes=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting(rel, starts_at=SLOT + dt.timedelta(minutes=30), minutes=60)
    # Touching end to start is fine, and so is overlapping a cancelled meeting.
    meeting(rel, starts_at=SLOT + dt.timedelta(minutes=60), minutes=30)
    meeting(rel, starts_at=SLOT, minutes=60, status="cancelled")
    assert Meeting.objects.count() == 3
