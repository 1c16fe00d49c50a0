from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from mentormemed.mentorships import testing


@dataclass
class Pair:
    mentee: object  # Membership
    mentor: object  # MentorProfile
    rel: object  # Relationship
    cast: object


@pytest.fixture
def pair(cast) -> Pair:
    """cast.mentee and cast.mentor (local, searchable), in a relationship that started 10 days ago."""
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    mentor = testing.mentor_profile(cast.mentor, scope="local")
    rel = testing.relationship(cast.mentee, mentor, started_at=timezone.now() - dt.timedelta(days=10))
    return Pair(mentee=cast.mentee, mentor=mentor, rel=rel, cast=cast)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call ``fn(**kwargs)`` with on-commit callbacks (e-mails) executed."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return call
