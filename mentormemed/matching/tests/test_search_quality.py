"""What a mentee sees in search: AND/OR areas, chips once, no noise affinities, badges, R7 in search."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.urls import reverse

from mentormemed.matching import selectors
from mentormemed.matching.search import SearchParams, mentor_search
from mentormemed.matching.selectors import recommend
from mentormemed.mentorships import testing as mt
from mentormemed.profiles import responsiveness
from mentormemed.profiles.models import MentorProfile
from mentormemed.profiles.testing import complete_mentee_profile, complete_mentor_profile
from mentormemed.testing.factories import MembershipFactory, onboard

pytestmark = pytest.mark.django_db


def _mentor(inst, **kwargs) -> MentorProfile:
    return complete_mentor_profile(onboard(MembershipFactory(institution=inst, role="mentor")), **kwargs)


def _search(cast, qs: str):
    return mentor_search(viewer=cast.mentee, params=SearchParams.from_query(QueryDict(qs)))


def test_r10_several_areas_narrow_by_default_and_widen_when_the_mentee_chooses(cast):
    both = _mentor(cast.inst_a, areas=["research", "teaching"])
    research = _mentor(cast.inst_a, areas=["research"])
    teaching = _mentor(cast.inst_a, areas=["teaching"])
    _mentor(cast.inst_a, areas=["mental_health_wellness"])
    narrow = _search(cast, "f=area:research&f=area:teaching")
    assert {h.mentor.pk for h in narrow.hits} == {both.pk}
    wide = _search(cast, "f=area:research&f=area:teaching&areas=any")
    assert {h.mentor.pk for h in wide.hits} == {both.pk, research.pk, teaching.pk}
    counts = {v.key: v.count for g in wide.groups for v in g.values}
    assert counts["area:research"] == 2 and counts["area:teaching"] == 2  # what each area adds
    page = cast.client_for(cast.mentee).get(reverse("matching:search")).content.decode()
    assert "With several areas, show mentors who" in page
    assert 'name="areas" value="all"' in page and "offer at least one of them (more mentors)" in page


def test_r10_a_detail_answer_is_one_chip_not_two(cast):
    _mentor(cast.inst_a, identities={"race_ethnicity": (["black_african_american"], True)})
    hit = _search(cast, "").hits[0]
    assert hit.shared == ["African American"]


def test_r10_a_value_nearly_every_mentor_shares_is_not_named(cast):
    complete_mentee_profile(
        cast.mentee,
        needs=["research"],
        affinities={"language": 3, "first_generation": 3},
        identities={"first_generation": (["first_generation"], True)},
    )
    for i in range(selectors.COMMON_MIN_MENTORS):
        _mentor(cast.inst_a, languages=["en"], identities={"first_generation": (["first_generation"], i < 3)})
    shares = [r for rec in recommend(mentee=cast.mentee, limit=20) for r in rec.reasons if "shares" in r]
    assert shares and all("English" not in r for r in shares)
    assert any("first-generation" in r for r in shares)


def test_r10_current_mentors_carry_a_badge_and_r7_untrained_mentors_finish_training_first(cast):
    mentee = mt.new_member(cast.inst_a, "mentee", "learner@alpha.edu")
    mine = mt.mentor_profile(cast.mentor)
    mt.relationship(mentee, mine)
    untrained = _mentor(cast.inst_a, trained=False, areas=["research"])
    client = cast.client_for(mentee)
    page = client.get(reverse("matching:search")).content.decode()
    card = page[page.index(f'id="mentor-{mine.pk}"') :][:1500]
    assert "Your mentor" in card
    other = page[page.index(f'id="mentor-{untrained.pk}"') :][:1500]
    assert "Finishing training" in other and "Your mentor" not in other
    assert untrained.pk not in {r.mentor.pk for r in recommend(mentee=mentee, limit=10)}
    detail = client.get(reverse("matching:mentor", args=[untrained.pk])).content.decode()
    assert "finishing the required mentor training" in detail
    assert reverse("mentorships:request_new", args=[untrained.pk]) not in detail
    from mentormemed.mentorships.models import MentorshipRequest
    from mentormemed.profiles.models import ContentArea

    form = client.post(
        reverse("mentorships:request_new", args=[untrained.pk]),
        {
            "message": "I would love your help with research this year.",
            "areas": [ContentArea.objects.get(key="research").pk],
        },
    )
    assert "finishing their mentor training" in form.content.decode()

    assert not MentorshipRequest.objects.filter(mentor=untrained).exists()


def test_r29_rematch_leaves_out_current_and_already_asked_mentors(cast):
    mentee = mt.new_member(cast.inst_a, "mentee", "learner@alpha.edu")
    current = mt.mentor_profile(cast.mentor)
    rel = mt.relationship(mentee, current)
    other_current = mt.mentor_profile(mt.new_member(cast.inst_a, "mentor", "second@alpha.edu"))
    mt.relationship(mentee, other_current)
    asked = mt.mentor_profile(mt.new_member(cast.inst_a, "mentor", "asked@alpha.edu"))
    mt.pending_request(mentee, asked)
    fresh = mt.mentor_profile(mt.new_member(cast.inst_a, "mentor", "fresh@alpha.edu"))
    page = cast.client_for(mentee).get(reverse("mentorships:rematch", args=[rel.pk])).content.decode()
    assert fresh.membership.user.display_name in page
    for excluded in (other_current, asked):
        assert reverse("mentorships:request_new", args=[excluded.pk]) not in page


def test_r13_most_responsive_sorts_by_what_the_cards_say(cast):
    figures = [(30, 0.5), (10, 0.9), (None, None), (20, 1.0), (70, 1.0), (47, 0.95)]
    for hours, rate in figures:
        mentor = _mentor(cast.inst_a)
        MentorProfile.objects.filter(pk=mentor.pk).update(
            median_response_hours=hours, answer_rate=rate, response_count=0 if hours is None else 5
        )
    hits = _search(cast, "sort=responsive").hits
    shown = [responsiveness.of(h.mentor) for h in hits]
    assert shown == sorted(shown, key=responsiveness.sort_key)
    assert [responsiveness.wording(v) for v in shown] == [
        "usually answers within a day (100% of requests answered)",
        "usually answers within a day (90% of requests answered)",
        "usually answers within 2 days (95% of requests answered)",
        "usually answers within 2 days (50% of requests answered)",
        "usually answers within 3 days (100% of requests answered)",
        "new mentor: too few requests yet to measure",
    ]
