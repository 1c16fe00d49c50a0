"""One figure, one wording: a mentor's responsiveness reads the same on every page it appears (R13).

Search card, mentor page, request form, the mentee's requests, the mentor's own inbox and the
admin's reward table, at desktop (1366 px) and phone (390 px) widths.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mentormemed.mentorships import services
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import MentorshipRequest, RequestState
from mentormemed.profiles.testing import complete_mentee_profile
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET
from tests.e2e.conftest import ARTIFACTS, assert_accessible, sign_in

FIGURE = re.compile(
    r"(usually answers within (?:a day|\d+ days) \(\d+% of requests answered\)"
    r"|new mentor: too few requests yet to measure)",
    re.IGNORECASE,
)


def _history(mentor, mentees) -> None:
    """Four decided requests in the window: answered after 20, 30 and 50 hours, one expired."""
    now = timezone.now()
    for mentee, hours in zip(mentees, (20, 30, 50, None), strict=True):
        created = now - dt.timedelta(days=40)
        request = mt.pending_request(mentee, mentor, created_at=created)
        state = RequestState.EXPIRED if hours is None else RequestState.DECLINED
        responded = None if hours is None else created + dt.timedelta(hours=hours)
        MentorshipRequest.objects.filter(pk=request.pk).update(state=state, responded_at=responded)
    services.refresh_responsiveness(mentor=mentor)


def _figures(page) -> set[str]:
    return {m.lower() for m in FIGURE.findall(page.inner_text("main"))}


@pytest.mark.parametrize("width", [1366, 390])
def test_responsiveness_reads_the_same_on_every_page(page, cast, width):
    page.set_viewport_size({"width": width, "height": 900})
    mentor = mt.mentor_profile(cast.mentor)
    others = [mt.new_member(cast.inst_a, "mentee", f"past{i}@alpha.edu") for i in range(4)]
    _history(mentor, others)
    mt.fully_onboard(cast.mentee)
    complete_mentee_profile(cast.mentee, needs=["research"])
    mt.pending_request(cast.mentee, mentor)  # the mentee's requests page names the mentor's figure too
    expected = {"usually answers within 2 days (75% of requests answered)"}  # median 30 h; 3 of 4 answered

    seen: dict[str, set[str]] = {}
    sign_in(page, cast.mentee.user.email, TEST_PASSWORD)
    last = cast.mentor.user.last_name
    for name, url in [
        ("search card", reverse("matching:search") + f"?sort=responsive&q={last}"),
        ("mentor page", reverse("matching:mentor", args=[mentor.pk])),
        ("request form", reverse("mentorships:request_new", args=[mentor.pk])),
        ("mentee's requests", reverse("mentorships:requests")),
    ]:
        page.goto(url)
        seen[name] = _figures(page)
        page.screenshot(path=str(ARTIFACTS / f"figures_{name.replace(' ', '_')}_{width}.png"), full_page=True)
    assert_accessible(page, context="request form")
    page.context.clear_cookies()

    sign_in(page, cast.mentor.user.email, TEST_PASSWORD)
    page.goto(reverse("mentorships:inbox"))
    seen["mentor's inbox"] = _figures(page)
    page.get_by_text("4 requests decided in the last 180 days").wait_for()
    page.screenshot(path=str(ARTIFACTS / f"figures_inbox_{width}.png"), full_page=True)
    page.context.clear_cookies()

    sign_in(page, cast.admin.user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.goto(reverse("outcomes:reward") + f"?q={last}")
    seen["reward table"] = _figures(page)
    page.screenshot(path=str(ARTIFACTS / f"figures_reward_{width}.png"), full_page=True)
    assert_accessible(page, context="reward table")

    for name, figures in seen.items():
        assert figures == expected, f"{name} shows {figures}, expected {expected}"
