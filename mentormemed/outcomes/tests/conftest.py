from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mentormemed.profiles.models import MenteeProfile


@pytest.fixture(autouse=True)
def _no_outcomes_cache(settings):
    settings.MMM = {**settings.MMM, "OUTCOMES_CACHE_SECONDS": 0}


def at(year: int, month: int, day: int = 10, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def consenting(membership, *, level: str = "MS3", analytics: bool = True, research: bool = True):
    MenteeProfile.objects.update_or_create(
        membership=membership,
        defaults={"training_level": level, "consent_analytics": analytics, "consent_research": research},
    )
    return membership
