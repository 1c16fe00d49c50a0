"""R27, R35: questions to the network that no mentor answered feed the outcomes unmet-need view, by area,
with every figure describing fewer than the minimum hidden (R23). Hand-computed fixture."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from mentormemed.mentorships.testing import new_member
from mentormemed.outcomes import insights, rollups
from mentormemed.profiles.models import ContentArea
from mentormemed.programs.models import NetworkAnswer, Question

pytestmark = pytest.mark.django_db


def _ask(asker, area: str, *, days_ago: int = 10, answered_by=None) -> Question:
    question = Question.objects.create(
        asker=asker,
        institution=asker.institution,
        title="Where do I start?",
        body="I would like advice.",
        created_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    question.areas.set(ContentArea.objects.filter(key=area))
    if answered_by is not None:
        NetworkAnswer.objects.create(question=question, mentor=answered_by, body="Start with your dean's office.")
    return question


def test_r27_unanswered_questions_are_an_unmet_need_counted_by_area_and_hidden_when_small(cast):
    alpha = [new_member(cast.inst_a, "mentee", f"q{i}@alpha.edu") for i in range(12)]
    beta = [new_member(cast.inst_b, "mentee", f"q{i}@beta.org") for i in range(2)]
    mentor = new_member(cast.inst_a, "mentor", "answers@alpha.edu", areas=("research",)).mentor_profile
    for mentee in alpha[:11]:
        _ask(mentee, "research")  # 11 mentees, 12 questions: one asks twice
    _ask(alpha[0], "research")
    _ask(alpha[11], "research", answered_by=mentor)  # answered: not a need
    _ask(alpha[11], "research", days_ago=2)  # not a week old yet
    for mentee in alpha[:3]:
        _ask(mentee, "teaching")  # 3 mentees: hidden
    for mentee in beta:
        _ask(mentee, "research")
    rollups.refresh()
    f = insights.period("unmet", QueryDict())

    local = insights.insight("unmet", cast.inst_a, f, use_cache=False).table("unanswered_questions")
    shown = {row.label: [c.value for c in row.cells] for row in local.rows if not row.hidden}
    assert shown == {"Research": [12, 11]}
    hidden = [row for row in local.rows if row.label == "Teaching"]
    assert hidden and all(c.suppressed for c in hidden[0].cells), "3 mentees: fewer than the minimum"

    national = insights.insight("unmet", None, f, use_cache=False).table("unanswered_questions")
    assert {r.label: r.cells[0].value for r in national.rows if not r.hidden} == {"Research": 14}

    page = cast.client_for(cast.admin).get(reverse("outcomes:insight", args=["unmet"])).content.decode()
    assert "Questions to the network left unanswered, by area" in page
    csv = cast.client_for(cast.admin).get(reverse("outcomes:export", args=["unanswered_questions"]))
    assert csv.status_code == 200 and "Research" in csv.content.decode() and "Teaching" in csv.content.decode()
    assert "Where do I start" not in page + csv.content.decode(), "counts only: never a question's text (R30)"
