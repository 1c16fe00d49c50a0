"""R4 eligibility, R5 mentor criteria, R6 versioned agreements, and the onboarding checklist."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentormemed.accounts import services
from mentormemed.accounts.models import AgreementAcceptance, MenteeEligibility
from mentormemed.core.access import Actor
from mentormemed.core.onboarding import missing_steps
from mentormemed.institutions import services as inst_services
from mentormemed.testing.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_new_mentee_must_accept_agreement_and_attest_eligibility(cast):
    mentee = MembershipFactory(institution=cast.inst_a, role="mentee")
    keys = {s.key for s in missing_steps(mentee)}
    assert {"agreement", "eligibility"} <= keys
    client = cast.client_for(mentee)
    client.post(reverse("accounts:agreement"), {"accept": "on"})
    client.post(reverse("accounts:eligibility"), {"urim": "on", "attest": "on"})
    mentee.refresh_from_db()
    assert not {"agreement", "eligibility"} & {s.key for s in missing_steps(mentee)}


def test_r4_eligibility_needs_at_least_one_basis(cast):
    mentee = MembershipFactory(institution=cast.inst_a, role="mentee")
    response = cast.client_for(mentee).post(reverse("accounts:eligibility"), {"attest": "on"})
    assert response.status_code == 200
    assert b"Choose at least one basis" in response.content
    assert not MenteeEligibility.objects.filter(membership=mentee).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        MenteeEligibility.objects.create(membership=mentee, attested_at=timezone.now())


def test_r4_attestation_is_time_stamped_and_admin_can_reject_with_reason(cast):
    mentee = MembershipFactory(institution=cast.inst_a, role="mentee")
    eligibility = services.eligibility_attest(
        acting=Actor.for_membership(mentee), urim=False, first_generation=True, economically_disadvantaged=False
    )
    assert eligibility.attested_at and eligibility.status == "pending"
    with pytest.raises(ValidationError, match="Say why"):
        inst_services.eligibility_review(acting=Actor.for_user(cast.admin.user), membership=mentee, decision="rejected")
    inst_services.eligibility_review(
        acting=Actor.for_user(cast.admin.user), membership=mentee, decision="rejected", note="No record"
    )
    mentee.refresh_from_db()
    assert "eligibility" in {s.key for s in missing_steps(mentee)}


def test_r4_admin_confirms_from_the_member_page(cast):
    mentee = MembershipFactory(institution=cast.inst_a, role="mentee")
    services.eligibility_attest(
        acting=Actor.for_membership(mentee), urim=True, first_generation=False, economically_disadvantaged=False
    )
    client = cast.client_for(cast.admin)
    client.post(reverse("institutions:member_review", args=[mentee.pk]), {"decision": "confirmed"})
    assert MenteeEligibility.objects.get(membership=mentee).status == "confirmed"


def test_r5_mentor_must_attest_every_criterion(cast):
    mentor = MembershipFactory(institution=cast.inst_a, role="mentor")
    criteria = list(cast.inst_a.criteria.all())
    with pytest.raises(ValidationError, match="every criterion"):
        services.criteria_attest(acting=Actor.for_membership(mentor), criterion_ids={criteria[0].pk})
    services.criteria_attest(acting=Actor.for_membership(mentor), criterion_ids={c.pk for c in criteria})
    assert "criteria" not in {s.key for s in missing_steps(mentor)}
    inst_services.criteria_review(acting=Actor.for_user(cast.admin.user), membership=mentor, decision="confirmed")
    assert set(mentor.criterion_attestations.values_list("status", flat=True)) == {"confirmed"}


def test_r5_criteria_form_in_the_browser_flow(cast):
    mentor = MembershipFactory(institution=cast.inst_a, role="mentor")
    criteria = list(cast.inst_a.criteria.all())
    client = cast.client_for(mentor)
    page = client.get(reverse("accounts:criteria"))
    assert criteria[0].text.encode() in page.content
    client.post(reverse("accounts:criteria"), {f"c{c.pk}": "on" for c in criteria})
    assert mentor.criterion_attestations.count() == len(criteria)


def test_r6_new_agreement_version_must_be_accepted_again(cast):
    before = {s.key for s in missing_steps(cast.mentee)}
    assert "agreement" not in before
    agreement = services.agreement_publish(
        acting=Actor.for_user(cast.staff), role="mentee", title="Mentee agreement", body="v2 text"
    )
    assert agreement.version == 2
    cast.mentee.refresh_from_db()
    missing = {s.key for s in missing_steps(cast.mentee)}
    assert missing - before == {"agreement"}
    assert "agreement" not in {s.key for s in missing_steps(cast.mentor)}
    cast.client_for(cast.mentee).post(reverse("accounts:agreement"), {"accept": "on"})
    acceptance = AgreementAcceptance.objects.get(user=cast.mentee.user, agreement=agreement)
    assert acceptance.accepted_at is not None


def test_r6_accepting_an_outdated_version_is_refused(cast):
    old = services.current_agreement("mentor")
    services.agreement_publish(acting=Actor.for_user(cast.staff), role="mentor", title="Mentor agreement", body="v2")
    with pytest.raises(ValidationError, match="newer version"):
        services.agreement_accept(acting=Actor.for_user(cast.mentor.user), agreement=old)


def test_r6_staff_publish_from_the_product(cast):
    client = cast.client_for(cast.staff)
    client.post(reverse("staff:agreements"), {"role": "mentor", "title": "Mentor agreement", "body": "New terms"})
    assert services.current_agreement("mentor").body == "New terms"
