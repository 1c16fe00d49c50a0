"""Responsiveness (R13): the one definition, the one wording, the one ordering.

A mentor's responsiveness is measured over the requests they received in the last
``WINDOW_DAYS`` days that were decided (accepted, declined or expired; pending and
withdrawn ones say nothing about the mentor):

* **median** — the median time from request to answer, over the answered ones;
* **answer rate** — answered ÷ decided (an expired request counts as not answered);
* **new mentor** — fewer than ``MIN_DECIDED`` decided requests: too few to judge, so
  no figures are shown, ranking treats the mentor as average and "Most responsive"
  lists them after every measured mentor.

``mentorships.selectors.responsiveness`` computes it from the requests and
``mentorships.services.refresh_responsiveness`` stores it on the profile
(``median_response_hours``, ``answer_rate``, ``response_count``); every page — search
card, mentor page, request form, the mentor's own inbox, the reward table and letter —
reads the stored figures through :func:`of` and words them with :func:`wording`
(the ``responsiveness`` template filter), and the "Most responsive" sort uses
:func:`order_by`, which sorts by exactly what the wording says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Ceil, Greatest
from django.utils.translation import gettext

WINDOW_DAYS = 180
MIN_DECIDED = 3


@dataclass(frozen=True)
class Responsiveness:
    median_hours: float | None
    answer_rate: float | None
    decided: int = 0

    @property
    def is_new(self) -> bool:
        return self.median_hours is None and self.answer_rate is None

    @property
    def days(self) -> int | None:
        """The whole number of days the wording promises ("within N days"); 1 for a day or less."""
        if self.median_hours is None:
            return None
        return max(1, math.ceil(self.median_hours / 24))

    @property
    def percent(self) -> int | None:
        return None if self.answer_rate is None else round(self.answer_rate * 100)

    @property
    def speed(self) -> str:
        if self.is_new:
            return gettext("new mentor: too few requests yet to measure")
        if self.days is None:  # every decided request expired
            return gettext("has not answered recent requests in time")
        if self.days == 1:
            return gettext("usually answers within a day")
        return gettext("usually answers within %(days)s days") % {"days": self.days}

    def __str__(self) -> str:
        return wording(self)

    def ranking_bonus(self) -> float:
        """What responsiveness adds to a recommendation's score (new mentors: neutral)."""
        if self.is_new:
            return 1.0
        speed = 0.0 if self.days is None else 1.5 if self.days <= 2 else 0.75 if self.days <= 4 else 0.0
        return speed + (self.answer_rate or 0.0)


def measure(*, answered_hours: list[float], decided: int) -> Responsiveness:
    """The figures from the answered requests' hours and the number decided in the window."""
    import statistics

    if decided < MIN_DECIDED:
        return Responsiveness(None, None, decided)
    median = round(statistics.median(answered_hours), 1) if answered_hours else None
    return Responsiveness(median, round(len(answered_hours) / decided, 3), decided)


def of(obj) -> Responsiveness:
    """The stored figures of a mentor profile (or anything carrying the same three fields)."""
    return Responsiveness(
        getattr(obj, "median_response_hours", None),
        getattr(obj, "answer_rate", None),
        getattr(obj, "response_count", 0) or 0,
    )


def wording(value: Responsiveness) -> str:
    """The one sentence shown everywhere, e.g. 'usually answers within 2 days (96% of requests answered)'."""
    if value.is_new:
        return value.speed
    return gettext("%(speed)s (%(percent)s%% of requests answered)") % {"speed": value.speed, "percent": value.percent}


def order_by(prefix: str = "") -> list:
    """ORDER BY terms for "Most responsive": the promised days, then answer rate, then the median.

    Sorting by the same whole days the wording shows means the list never puts "within 3 days"
    above "within 2 days"; among equal days a higher answer rate comes first; new mentors after
    every measured one, and mentors who let every request expire last.
    """
    hours = F(f"{prefix}median_response_hours")
    # PostgreSQL's GREATEST ignores NULLs (SQLite's returns NULL): say "no days" explicitly.
    days = Case(
        When(**{f"{prefix}median_response_hours__isnull": True}, then=Value(None)),
        default=Greatest(Ceil(hours / Value(24.0)), Value(1.0)),
        output_field=FloatField(),
    )
    return [
        days.asc(nulls_last=True),
        # Only mentors whose every request expired have no days; among them a new mentor
        # (no rate) comes before one with a rate of 0%.
        F(f"{prefix}answer_rate").desc(nulls_first=True),
        hours.asc(nulls_last=True),
    ]


def sort_key(value: Responsiveness) -> tuple:
    """The same order as :func:`order_by`, for lists sorted in Python."""
    rate = value.answer_rate
    return (
        value.days is None,
        value.days or 0,
        rate is not None,
        -(rate or 0.0),
        value.median_hours is None,
        value.median_hours or 0.0,
    )
