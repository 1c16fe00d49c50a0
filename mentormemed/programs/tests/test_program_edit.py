"""R34: an admin edits a program after creating it — settings, milestones, required training."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.programs import services
from mentormemed.programs.catalogue import MilestoneSpec
from mentormemed.programs.models import Milestone, MilestoneProgress
from mentormemed.programs.tests.conftest import cohort

pytestmark = pytest.mark.django_db


def _settings(program, **changes) -> dict:
    values = {
        "name": program.name,
        "description": program.description,
        "enrol_opens": program.enrol_opens,
        "enrol_closes": program.enrol_closes,
        "milestones": [MilestoneSpec(m.offset_days, m.title, m.detail) for m in program.milestones.all()],
        "join_mode": program.join_mode,
        "audience_levels": list(program.audience_levels),
        "mentor_reach": program.mentor_reach,
        "circle_size": program.circle_size,
        "fairness": program.fairness,
        "allow_near_peer": program.allow_near_peer,
    }
    values.update(changes)
    return values


def _matched_relationship(c):
    round_ = services.round_solve(acting=c.admin, program=c.program)
    services.round_publish(acting=c.admin, round=round_)
    proposal = round_.proposals.order_by("pk").first()
    services.introduction_answer(acting=Actor.for_membership(proposal.mentee), proposal=proposal, accept=True)
    services.introduction_answer(
        acting=Actor.for_membership(proposal.mentor.membership), proposal=proposal, accept=True
    )
    proposal.refresh_from_db()
    return proposal.relationship


def test_r34_admin_changes_settings_and_milestones_matched_by_title(cast):
    c = cohort(cast)
    first, *rest = list(c.program.milestones.all())
    later = c.program.enrol_closes + dt.timedelta(days=14)
    specs = [MilestoneSpec(first.offset_days + 3, first.title, "Bring your goals"), MilestoneSpec(200, "Wrap-up")]
    changed = services.program_update(
        acting=c.admin,
        program=c.program,
        **_settings(c.program, name="MS1 cohort 2027", enrol_closes=later, milestones=specs),
    )
    c.program.refresh_from_db()
    assert c.program.name == "MS1 cohort 2027" and c.program.enrol_closes == later
    kept = Milestone.objects.get(pk=first.pk)  # same row: pairs' progress stays attached to it
    assert (kept.offset_days, kept.detail) == (first.offset_days + 3, "Bring your goals")
    assert [m.title for m in c.program.milestones.all()] == [first.title, "Wrap-up"]
    assert not Milestone.objects.filter(pk__in=[m.pk for m in rest]).exists()
    assert {"name", "enrol_closes", f"changed {first.title}", "added Wrap-up"} <= set(changed)
    entry = AuditEntry.objects.get(action="program.update")
    assert entry.institution == cast.inst_a and "name" in entry.detail["changed"]
    # Saving the same settings again changes nothing and records nothing.
    assert services.program_update(acting=c.admin, program=c.program, **_settings(c.program)) == []
    assert AuditEntry.objects.filter(action="program.update").count() == 1


def test_r34_a_milestone_in_a_pairs_history_cannot_be_removed(cast):
    c = cohort(cast, mentees=1, mentors=1)
    rel = _matched_relationship(c)
    milestone = c.program.milestones.first()
    MilestoneProgress.objects.update_or_create(
        relationship=rel, milestone=milestone, defaults={"done_at": timezone.now()}
    )
    others = [MilestoneSpec(m.offset_days, m.title, m.detail) for m in c.program.milestones.exclude(pk=milestone.pk)]
    before = list(c.program.milestones.values_list("pk", "title", "offset_days"))
    with pytest.raises(ValidationError, match="already reminded or marked done for 1 pair"):
        services.program_update(
            acting=c.admin, program=c.program, **_settings(c.program, name="Renamed", milestones=others)
        )
    c.program.refresh_from_db()
    assert c.program.name != "Renamed"  # nothing changed
    assert list(c.program.milestones.values_list("pk", "title", "offset_days")) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "name"),
        ({"enrol_closes": dt.date(2020, 1, 1)}, "close on or after"),
        ({"circle_size": 40}, "between 2 and 20"),
        ({"audience_levels": ["MS9"]}, "training levels"),
        ({"milestones": []}, "at least one milestone"),
        ({"milestones": [MilestoneSpec(5, "Check-in"), MilestoneSpec(9, "check-in")]}, "same title"),
    ],
)
def test_r34_bad_settings_are_refused_and_change_nothing(cast, changes, message):
    c = cohort(cast, mentees=1, mentors=1)
    name = c.program.name
    with pytest.raises(ValidationError, match=message):
        services.program_update(acting=c.admin, program=c.program, **_settings(c.program, **changes))
    c.program.refresh_from_db()
    assert c.program.name == name


def test_r34_only_an_admin_of_the_programs_institution_edits_it(cast):
    from mentormemed.programs.testing import admin_actor

    c = cohort(cast, mentees=1, mentors=1)
    with pytest.raises(ValidationError, match="Only an admin"):
        services.program_update(acting=admin_actor(cast.admin_b), program=c.program, **_settings(c.program, name="X"))
    assert cast.client_for(cast.admin_b).get(f"/programs/manage/{c.program.pk}/edit/").status_code == 404


def test_r34_the_edit_page_saves_through_the_form(cast):
    c = cohort(cast, mentees=1, mentors=1)
    client = cast.client_for(cast.admin)
    page = client.get(f"/programs/manage/{c.program.pk}/edit/")
    assert page.status_code == 200 and "Save changes" in page.content.decode()
    form = page.context["form"]
    data = {name: form.initial.get(name) for name in form.fields}
    data.update(
        name="MS1 cohort, spring",
        join_mode="invite",
        enrol_opens=c.program.enrol_opens.isoformat(),
        enrol_closes=c.program.enrol_closes.isoformat(),
        required_modules=[],
        audience_levels=[],
        allow_near_peer="",
    )
    response = client.post(f"/programs/manage/{c.program.pk}/edit/", data)
    assert response.status_code == 302
    c.program.refresh_from_db()
    assert (c.program.name, c.program.join_mode, c.program.audience_levels) == ("MS1 cohort, spring", "invite", [])
    bad = client.post(f"/programs/manage/{c.program.pk}/edit/", {**data, "milestones": "soon | Check-in"})
    assert bad.status_code == 200 and "Line 1" in bad.content.decode()
