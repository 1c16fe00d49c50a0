"""Builders for tests (this app's, the permission matrix, e2e). They bypass the gate on purpose."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentormemed.mentorships.models import Compact, Goal, MentorshipRequest, Relationship, RequestState
from mentormemed.profiles.models import ContentArea, MentorProfile
from mentormemed.profiles.testing import complete_mentor_profile
from mentormemed.training.testing import complete_required


def mentor_profile(membership, **fields) -> MentorProfile:
    """A complete, searchable profile (the profiles app's own builder)."""
    profile = complete_mentor_profile(membership, **fields)
    profile.refresh_from_db()
    return profile


def pending_request(mentee, mentor: MentorProfile, *, areas=("research",), message=None, created_at=None):
    created_at = created_at or timezone.now()
    request = MentorshipRequest.objects.create(
        mentee=mentee,
        mentor=mentor,
        message=message or "I would love your advice on research and residency applications.",
        created_at=created_at,
        deadline=created_at + dt.timedelta(days=7),
    )
    request.areas.set(ContentArea.objects.filter(key__in=list(areas)))
    return request


def relationship(mentee, mentor: MentorProfile, *, started_at=None, areas=("research",)) -> Relationship:
    """An accepted request and an active relationship, counted on the mentor (as request_accept would)."""
    started_at = started_at or timezone.now()
    request = pending_request(mentee, mentor, areas=areas, created_at=started_at - dt.timedelta(days=1))
    MentorshipRequest.objects.filter(pk=request.pk).update(state=RequestState.ACCEPTED, responded_at=started_at)
    rel = Relationship.objects.create(mentee=mentee, mentor=mentor, request=request, started_at=started_at)
    Compact.objects.create(relationship=rel)
    MentorProfile.objects.filter(pk=mentor.pk).update(
        active_mentee_count=Relationship.objects.filter(mentor=mentor, ended_at__isnull=True).count()
    )
    return rel


# ---------------------------------------------------------------- permission matrix


def matrix_mentor(cast) -> MentorProfile:
    return mentor_profile(cast.mentor, scope="local")


def matrix_request(cast) -> int:
    mentor = matrix_mentor(cast)
    existing = MentorshipRequest.objects.filter(mentee=cast.mentee, mentor=mentor, state="pending").first()
    return (existing or pending_request(cast.mentee, mentor)).pk


def matrix_relationship(cast) -> Relationship:
    mentor = matrix_mentor(cast)
    existing = Relationship.objects.filter(mentee=cast.mentee, mentor=mentor, ended_at__isnull=True).first()
    return existing or relationship(cast.mentee, mentor)


def matrix_goal(cast) -> int:
    rel = matrix_relationship(cast)
    return (rel.goals.first() or Goal.objects.create(relationship=rel, text="Submit an abstract")).pk


def matrix_suspended_mentor(cast) -> int:
    """A suspended mentor of institution A (not cast.mentor, so other pages stay usable)."""
    from mentormemed.testing.factories import MembershipFactory, UserFactory, onboard

    profile = MentorProfile.objects.filter(
        membership__institution=cast.inst_a, membership__user__email="suspended@alpha.edu"
    ).first()
    if profile is None:
        membership = onboard(
            MembershipFactory(institution=cast.inst_a, role="mentor", user=UserFactory(email="suspended@alpha.edu"))
        )
        profile = mentor_profile(membership)
        MentorProfile.objects.filter(pk=profile.pk).update(
            suspended_at=timezone.now(), suspended_reason="3 requests went unanswered within 180 days."
        )
    return profile.pk


def fully_onboard(membership):
    """Everything the request gate asks (R6, R7): foundation steps, required training, and a profile."""
    from mentormemed.testing.factories import onboard

    onboard(membership)
    complete_required(membership)
    if membership.role == "mentee":
        from mentormemed.profiles.testing import complete_mentee_profile

        complete_mentee_profile(membership, needs=("residency_applications", "research", "mental_health_wellness"))
    return membership


def new_member(institution, role: str, email: str, **profile):
    """A fully onboarded member (and, for mentors, a complete searchable profile)."""
    from mentormemed.testing.factories import MembershipFactory, UserFactory

    membership = fully_onboard(MembershipFactory(institution=institution, role=role, user=UserFactory(email=email)))
    if role == "mentor":
        mentor_profile(membership, **profile)
    return membership
