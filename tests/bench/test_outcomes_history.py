"""The outcomes bench's history holds what the success analysis and the minority-tax ledger read —
meetings held, goals, check-ins and CME claims — so those figures are measured on real data."""

from __future__ import annotations

import pytest

from bench.outcomes import add_history
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import Goal, Relationship
from mentormemed.scheduling.models import Meeting
from mentormemed.training.models import CmeClaim, ModuleVersion

pytestmark = pytest.mark.django_db


def test_bench_history_writes_meetings_goals_check_ins_and_cme(cast):
    for n in range(4):
        mt.mentor_profile(mt.new_member(cast.inst_a, "mentor", f"mentor{n}@alpha.edu"))
        mt.new_member(cast.inst_a, "mentee", f"mentee{n}@alpha.edu")
    assert any(v.carries_cme for v in ModuleVersion.objects.all()), "the seeded library carries CME"

    made = add_history(requests=300, evaluated=40, seed=3)

    assert made["meetings"] > 0 and Meeting.objects.filter(status="held").count() > 0
    assert made["goals"] == Goal.objects.count() > 0
    assert Relationship.objects.exclude(mentee_checkin="").exists()
    assert made["cme_claims"] == CmeClaim.objects.count() > 0
    for meeting in Meeting.objects.select_related("relationship")[:200]:
        assert meeting.relationship.started_at <= meeting.starts_at <= meeting.relationship.ended_at
