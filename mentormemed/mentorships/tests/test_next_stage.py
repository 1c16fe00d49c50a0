"""The stage a pair may move to next: forward only, separation only by ending the mentorship."""

from __future__ import annotations

import datetime as dt

import pytest

from mentormemed.mentorships.models import Relationship, Stage

ENDED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("stage", "ended_at", "expected"),
    [
        (Stage.INITIATION, None, Stage.CULTIVATION),
        (Stage.CULTIVATION, None, None),  # separation comes with ending it
        (Stage.INITIATION, ENDED, None),  # an ended pair does not start cultivating
        (Stage.SEPARATION, ENDED, Stage.REDEFINITION),
        (Stage.SEPARATION, None, None),
        (Stage.REDEFINITION, ENDED, None),
    ],
)
def test_next_stage(stage, ended_at, expected):
    assert Relationship(stage=stage, ended_at=ended_at).next_stage == expected
