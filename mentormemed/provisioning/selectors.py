"""Reads about provisioning, always for one institution."""

from __future__ import annotations

from mentormemed.provisioning.models import RosterSync, ScimToken, ScimUser

RECENT_SYNCS = 10


def provisioning_overview(*, institution) -> dict:
    return {
        "tokens": list(ScimToken.objects.filter(institution=institution).select_related("created_by")[:50]),
        "syncs": list(RosterSync.objects.filter(institution=institution).select_related("uploaded_by")[:RECENT_SYNCS]),
        "scim_users": ScimUser.objects.filter(institution=institution).count(),
        "scim_active": ScimUser.objects.filter(institution=institution, active=True).count(),
    }
