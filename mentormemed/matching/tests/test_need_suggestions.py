"""R14: for each need no current mentor covers, a few mentors with room who offer it, fastest
responders first — every need's suggestions read in one statement, not one per need (issue 14)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentormemed.matching.selectors import suggestions_for_needs
from mentormemed.mentorships import testing
from mentormemed.profiles.models import ContentArea, MentorProfile

pytestmark = pytest.mark.django_db


def _mentor(cast, email: str, areas: tuple[str, ...], hours: float | None) -> MentorProfile:
    membership = testing.new_member(cast.inst_a, "mentor", email, areas=areas)
    MentorProfile.objects.filter(membership=membership).update(median_response_hours=hours, answer_rate=1.0)
    return MentorProfile.objects.get(membership=membership)


def test_r14_each_needs_fastest_mentors_with_room_in_one_statement(cast):
    research = [_mentor(cast, f"r{i}@alpha.edu", ("research",), hours) for i, hours in enumerate([90, 5, 50, 20])]
    both = _mentor(cast, "both@alpha.edu", ("research", "teaching"), 1)
    teaching = _mentor(cast, "t@alpha.edu", ("teaching",), 30)
    full = _mentor(cast, "full@alpha.edu", ("teaching",), 2)
    MentorProfile.objects.filter(pk=full.pk).update(accepting_new=False)
    areas = list(ContentArea.objects.filter(key__in=["research", "teaching", "medico_legal"]).order_by("key"))
    with CaptureQueriesContext(connection) as ctx:
        found = suggestions_for_needs(mentee=cast.mentee, areas=areas, exclude_mentor_ids=[research[1].pk])
    by_key = {area.key: [m.pk for m in found[area.pk]] for area in areas}
    assert by_key["research"] == [both.pk, research[3].pk, research[2].pk]  # 5 h excluded, then by days
    assert by_key["teaching"] == [both.pk, teaching.pk]  # the full mentor has no room
    assert by_key["medico_legal"] == []
    assert found[areas[1].pk][0].membership.user.email == "both@alpha.edu"  # cards load with the user
    assert len(ctx.captured_queries) <= 3, [q["sql"][:80] for q in ctx.captured_queries]
