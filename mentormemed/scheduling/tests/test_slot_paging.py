"""Slot paging: the length asked for if the mentor offers it, whole weeks ahead, never before now."""

from __future__ import annotations

import pytest

from mentormemed.scheduling.selectors import _chosen_length, _chosen_week


@pytest.mark.parametrize(
    ("asked", "lengths", "expected"),
    [
        (None, [45, 30], 45),
        ("30", [45, 30], 30),
        ("20", [45, 30], 45),
        ("x", [45, 30], 45),
        ("20", [], 20),
        (None, [], 30),
    ],
)
def test_length(asked, lengths, expected):
    assert _chosen_length(asked, lengths) == expected


@pytest.mark.parametrize(("asked", "expected"), [(None, 0), ("", 0), ("2", 2), ("-3", 0), ("soon", 0)])
def test_week(asked, expected):
    assert _chosen_week(asked) == expected
