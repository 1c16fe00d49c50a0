"""Builders for tests (this app's, the permission matrix, e2e). They bypass the services on purpose."""

from __future__ import annotations

from django.utils import timezone

from mentormemed.care.models import CareCheckIn, Case, CaseEvent, CaseKind, Category


def report_case(*, reporter, subject, relationship=None, institution=None, **fields) -> Case:
    """A filed report of ``reporter`` (membership) about ``subject`` (membership)."""
    institution = institution or reporter.institution
    other = subject.institution if subject.institution_id != reporter.institution_id else None
    case = Case.objects.create(
        kind=fields.pop("kind", CaseKind.REPORT),
        category=fields.pop("category", Category.BOUNDARY),
        description=fields.pop("description", "Asked me repeatedly to meet at a bar late at night."),
        reporter=reporter.user,
        reporter_membership=reporter,
        subject=subject.user,
        subject_membership=subject,
        relationship=relationship,
        institution=institution,
        other_institution=other,
        **fields,
    )
    CaseEvent.objects.create(case=case, by=reporter.user, by_role=reporter.role, action="filed", to_status=case.status)
    return case


# ---------------------------------------------------------------- permission matrix


def matrix_relationship_pk(cast) -> int:
    from mentormemed.mentorships.testing import matrix_relationship

    return matrix_relationship(cast).pk


def matrix_case(cast) -> int:
    existing = Case.objects.filter(reporter=cast.mentee.user).first()
    return (existing or report_case(reporter=cast.mentee, subject=cast.mentor)).pk


def matrix_checkin(cast) -> int:
    from mentormemed.mentorships.testing import matrix_relationship

    rel = matrix_relationship(cast)
    checkin, _ = CareCheckIn.objects.get_or_create(
        relationship=rel, key="periodic-1", defaults={"occasion": "periodic", "sent_at": timezone.now()}
    )
    return checkin.pk


def matrix_health(cast) -> int:
    """The matrix relationship with a computed signal (the at-risk list's row)."""
    from mentormemed.care.sweep import refresh_health

    pk = matrix_relationship_pk(cast)
    refresh_health(force=True)
    return pk


def matrix_duplicate(cast) -> int:
    """The cast mentee with two mentors asked about research."""
    from mentormemed.care.models import DuplicateNeed
    from mentormemed.mentorships.testing import matrix_relationship, new_member, relationship

    first = matrix_relationship(cast)
    existing = DuplicateNeed.objects.filter(first=first).first()
    if existing:
        return existing.pk
    membership = new_member(cast.inst_a, "mentor", "second-mentor@alpha.edu", scope="local")
    second_mentor = membership.mentor_profile
    second = relationship(cast.mentee, second_mentor, areas=("research",))
    return DuplicateNeed.objects.create(mentee=cast.mentee, first=first, second=second, areas="Research").pk
