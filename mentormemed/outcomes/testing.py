"""Builders for tests (this app's, the permission matrix, e2e)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from mentormemed.core.clock import platform_today
from mentormemed.outcomes import agreements, research
from mentormemed.outcomes.models import DataUseAgreement, ResearchRequest

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def research_request(
    membership, *, state: str = "submitted", variables=None, accepted: bool = True, destroy_in_days: int = 365
) -> ResearchRequest:
    """A request; an approved one carries its data use agreement, accepted by the requester unless not ``accepted``."""
    item = ResearchRequest(
        requester=membership,
        title="Affinity and mentorship length",
        question="Do shared characteristics go with longer mentorships?",
        variables=variables or list(research.VARIABLES),
        irb_status="approved",
        irb_number="IRB-2025-0001",
        state=state,
        export_salt=research.new_salt() if state == "approved" else "",
    )
    item.irb_document.save("irb.pdf", ContentFile(PDF_BYTES), save=False)
    item.save()
    if state == "approved":
        now = timezone.now()
        DataUseAgreement.objects.create(
            request=item,
            purpose=item.question,
            variables=item.variables,
            recipients="The requester (principal investigator)",
            destroy_by=platform_today() + dt.timedelta(days=destroy_in_days),
            terms_version=agreements.TERMS_VERSION,
            accepted_at=now if accepted else None,
            accepted_by=membership.user if accepted else None,
            accepted_name=membership.user.display_name if accepted else "",
        )
    return item


def matrix_research(cast) -> int:
    existing = ResearchRequest.objects.filter(requester=cast.mentor, state="approved").first()
    return (existing or research_request(cast.mentor, state="approved")).pk


def matrix_mentor_profile(cast) -> int:
    from mentormemed.mentorships.testing import matrix_mentor

    return matrix_mentor(cast).pk


def matrix_built_table(cast) -> str:
    """A table of the outcomes page once the sweep has computed the figures (what a real page has)."""
    from mentormemed.outcomes import rollups

    if rollups.last_refresh() is None:
        rollups.refresh()
    return "searches_by_month"
