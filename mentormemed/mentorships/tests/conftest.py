from __future__ import annotations

from dataclasses import dataclass

import pytest

from mentormemed.mentorships import testing


@dataclass
class Pair:
    mentee: object
    mentor: object  # MentorProfile
    cast: object


@pytest.fixture
def pair(cast) -> Pair:
    """cast.mentee and cast.mentor, both through the gate; the mentor searchable (local) with 3 places."""
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    return Pair(mentee=cast.mentee, mentor=testing.mentor_profile(cast.mentor), cast=cast)
