"""Pages: bounded queries as lists grow; the onboarding step of program training (R7 per program)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.onboarding import checklist
from mentormemed.mentorships.testing import new_member
from mentormemed.profiles.models import ContentArea
from mentormemed.programs import group_services, services
from mentormemed.programs.tests.conftest import cohort

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def _grow(cast, tag: str, n: int):
    c = cohort(cast, mentees=n, mentors=n, prefix=tag, name=f"Program {tag}")
    round_ = services.round_solve(acting=c.admin, program=c.program)
    asker = c.mentees[0]
    for i in range(n):
        group_services.question_ask(
            acting=Actor.for_membership(asker),
            title=f"Question {tag} {i} about research",
            body="A question with enough words in it.",
            areas=ContentArea.objects.filter(key="research"),
        )
        group_services.office_hours_offer(
            acting=Actor.for_membership(c.mentors[i].membership),
            title=f"Office hours {tag} {i}",
            starts_at=timezone.now() + dt.timedelta(days=2),
            minutes=30,
            seats=2,
        )
    return c, round_


def test_list_pages_run_a_bounded_number_of_queries(cast):
    admin = cast.client_for(cast.admin)
    small, small_round = _grow(cast, "s", 2)
    with_one = _queries(admin, "/programs/manage/")
    large, large_round = _grow(cast, "l", 5)
    assert _queries(admin, "/programs/manage/") == with_one
    assert _queries(admin, f"/programs/manage/rounds/{small_round.pk}/") == _queries(
        admin, f"/programs/manage/rounds/{large_round.pk}/"
    )
    assert _queries(admin, f"/programs/manage/{small.program.pk}/") == _queries(
        admin, f"/programs/manage/{large.program.pk}/"
    )
    mentee_small, mentee_large = cast.client_for(small.mentees[0]), cast.client_for(large.mentees[0])
    assert _queries(mentee_small, "/programs/questions/") == _queries(mentee_large, "/programs/questions/")
    assert _queries(mentee_small, "/programs/sessions/") == _queries(mentee_large, "/programs/sessions/")
    mentor_small, mentor_large = (
        cast.client_for(small.mentors[0].membership),
        cast.client_for(large.mentors[0].membership),
    )
    assert _queries(mentor_small, "/programs/questions/") == _queries(mentor_large, "/programs/questions/")


def test_r7_program_training_shows_in_the_checklist(cast):
    from mentormemed.training.models import Module

    c = cohort(cast, mentees=1, mentors=1)
    module = Module.objects.filter(audience="mentee", status="published", required=False).first()
    c.program.required_modules.add(module)
    state = {step.key: s for step, s in checklist(c.mentees[0])}["program_training"]
    assert not state.done and module.title in state.detail
    other = new_member(cast.inst_a, "mentee", "not-enrolled@alpha.edu")
    assert {step.key: s for step, s in checklist(other)}["program_training"].done
