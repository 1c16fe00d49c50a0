"""Objects of institution A for the permission matrix."""

from __future__ import annotations

from mentormemed.core.access import Actor
from mentormemed.provisioning.models import RosterSync, ScimToken


def matrix_token(cast) -> int:
    from mentormemed.provisioning.services import scim_token_create

    token = ScimToken.objects.filter(institution=cast.inst_a).first()
    return (
        token
        or scim_token_create(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, label="matrix").token
    ).pk


def matrix_sync(cast) -> int:
    sync = RosterSync.objects.filter(institution=cast.inst_a).first()
    return (sync or RosterSync.objects.create(institution=cast.inst_a, uploaded_by=cast.admin.user)).pk
