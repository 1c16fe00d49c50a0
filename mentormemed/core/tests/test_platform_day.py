"""Every rule reads one "today": the platform's calendar (``core.clock``), never the zone a request
happens to run in. Between midnight UTC and midnight in New York the two differ by a day; a deadline,
a cache key or a figure's month read on the reader's clock then disagreed with the sweep, the service
and every other reader (a destruction date "passed" for the service and not for the page)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.clock import platform_today
from mentormemed.matching import selectors as matching_selectors
from mentormemed.outcomes import services
from mentormemed.outcomes.models import DataUseAgreement
from mentormemed.outcomes.testing import research_request

ROOT = Path(settings.BASE_DIR) / "mentormemed"
# 02:30 UTC on 8 December is still 7 December in New York, the users' default zone.
BETWEEN_MIDNIGHTS = dt.datetime(2026, 12, 8, 2, 30, tzinfo=dt.UTC)


def _is_call_to(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name


def _reads_the_request_zone(node: ast.AST) -> bool:
    """``timezone.localdate(…)`` without a zone, or ``timezone.localtime(x).date()`` without one."""
    if _is_call_to(node, "localdate"):
        assert isinstance(node, ast.Call)
        return not any(k.arg == "timezone" for k in node.keywords) and len(node.args) < 2
    if _is_call_to(node, "date") and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        inner = node.func.value
        return _is_call_to(inner, "localtime") and isinstance(inner, ast.Call) and len(inner.args) < 2
    return False


def test_no_rule_reads_the_day_in_the_requests_time_zone():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative == "core/clock.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if _reads_the_request_zone(node):
                offenders.append(f"{relative}:{getattr(node, 'lineno', '?')}")
    assert not offenders, f"use core.clock.platform_today() (or name the zone): {offenders}"


@pytest.mark.django_db
def test_r40_a_new_york_reader_and_the_service_agree_when_the_destruction_date_has_passed(cast):
    with time_machine.travel(BETWEEN_MIDNIGHTS - dt.timedelta(days=31), tick=False):
        item = research_request(cast.mentor, state="approved", destroy_in_days=30)
    assert cast.mentor.user.time_zone == "America/New_York"
    with time_machine.travel(BETWEEN_MIDNIGHTS, tick=False):
        agreement = DataUseAgreement.objects.get(pk=item.agreement.pk)
        assert agreement.state == "expired"
        page = cast.client_for(cast.mentor).get(reverse("outcomes:research_agreement", args=[item.pk]))
        assert "no longer available" in page.content.decode(), "the page reads the same day as the service"
        url = reverse("outcomes:research_agreement", args=[item.pk])
        today = platform_today().isoformat()  # 8 December: today on the agreement's calendar
        response = cast.client_for(cast.mentor).post(url, {"action": "attest", "destroyed_on": today, "confirm": "on"})
        assert response.status_code == 302
        assert DataUseAgreement.objects.get(pk=item.agreement.pk).state == "destroyed"
        with pytest.raises(ValidationError, match="already confirmed"):
            services.agreement_attest(
                acting=Actor.for_membership(cast.mentor), agreement=agreement, destroyed_on=platform_today()
            )


@pytest.mark.django_db
def test_r1_the_covered_list_is_cached_under_the_platform_day_whatever_the_readers_zone(cast, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "day"}}
    with time_machine.travel(BETWEEN_MIDNIGHTS, tick=False):
        first = matching_selectors.covered_today()  # the sweep, in UTC
        with timezone.override("America/New_York"):
            assert timezone.localdate() != platform_today()
            with CaptureQueriesContext(connection) as ctx:
                assert matching_selectors.covered_today() == first
        assert len(ctx.captured_queries) == 0, "a reader in New York reuses the platform day's list"
