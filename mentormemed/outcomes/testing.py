"""Builders for tests (this app's, the permission matrix, e2e)."""

from __future__ import annotations

from django.core.files.base import ContentFile

from mentormemed.outcomes import research
from mentormemed.outcomes.models import ResearchRequest

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def research_request(membership, *, state: str = "submitted", variables=None) -> ResearchRequest:
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
