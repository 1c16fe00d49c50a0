"""Reads about provisioning, always for one institution."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from mentormemed.provisioning.models import RosterSync, ScimToken, ScimUser

if TYPE_CHECKING:
    from mentormemed.institutions.models import Institution

RECENT_SYNCS = 10


class ProvisioningOverview(TypedDict):
    tokens: list[ScimToken]
    syncs: list[RosterSync]  # the most recent
    scim_users: int
    scim_active: int


def provisioning_overview(*, institution: Institution) -> ProvisioningOverview:
    return {
        "tokens": list(ScimToken.objects.filter(institution=institution).select_related("created_by")[:50]),
        "syncs": list(RosterSync.objects.filter(institution=institution).select_related("uploaded_by")[:RECENT_SYNCS]),
        "scim_users": ScimUser.objects.filter(institution=institution).count(),
        "scim_active": ScimUser.objects.filter(institution=institution, active=True).count(),
    }
