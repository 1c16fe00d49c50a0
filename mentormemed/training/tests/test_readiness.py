"""R7's gate copied onto the mentor's profile (``MentorProfile.accept_ready``, issue 14) follows every
change of its facts — completions, new versions, a module made required — and the sweep repairs drift."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mentormemed.core.onboarding import missing_steps
from mentormemed.core.periodic import run_jobs
from mentormemed.profiles.models import MentorProfile
from mentormemed.training.testing import complete_module
from mentormemed.training.tests.test_library import _new_version, profiled  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _ready(membership) -> bool:
    return MentorProfile.objects.get(membership=membership).accept_ready


def _gate_open(membership) -> bool:
    return "training" not in [s.key for s in missing_steps(membership)]


def test_r7_the_profiles_copy_of_the_gate_follows_completions_and_new_versions(cast, profiled):  # noqa: F811
    mentor = cast.mentor
    assert not _ready(mentor) and not _gate_open(mentor)
    complete_module(mentor, "effective-mentor")
    assert not _ready(mentor)
    complete_module(mentor, "mentoring-across-difference")
    assert _ready(mentor) and _gate_open(mentor)
    _new_version(cast.staff, "effective-mentor")  # a required module's new version: attest again
    assert not _ready(mentor) and not _gate_open(mentor)
    complete_module(mentor, "effective-mentor")
    assert _ready(mentor) and _gate_open(mentor)


def test_r7_the_sweep_repairs_a_copy_written_around_the_services(cast, profiled):  # noqa: F811
    complete_module(cast.mentor, "effective-mentor")
    complete_module(cast.mentor, "mentoring-across-difference")
    MentorProfile.objects.update(accept_ready=False)  # as a bulk write that sends no signal would leave it
    assert run_jobs(now=timezone.now())["mentor_readiness"] >= 1
    assert _ready(cast.mentor)
