from __future__ import annotations

import pytest

from mentormemed.mentorships.testing import mentor_profile, relationship
from mentormemed.scheduling.testing import weekday_availability


@pytest.fixture
def rel(cast):
    """An active relationship: cast.mentee with cast.mentor (New York); no availability yet."""
    profile = mentor_profile(cast.mentor, scope="local")
    return relationship(cast.mentee, profile)


@pytest.fixture
def avail(rel):
    """Monday–Friday 09:00–17:00 New York, 30/60 minutes, 15-minute buffer, 24 h notice, 30 days ahead."""
    return weekday_availability(rel.mentor)
