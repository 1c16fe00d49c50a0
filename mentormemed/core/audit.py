"""Writing audit entries. Services call ``audit`` inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from mentormemed.core.models import AuditEntry


def audit(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    institution=None,
    actor_role: str = "",
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` (to ``obj``). Never include message bodies or secrets."""
    if institution is None and obj is not None:
        institution = getattr(obj, "institution", None)
    if not actor_role and actor is not None:
        actor_role = "staff" if getattr(actor, "is_staff", False) else ""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_role=actor_role,
        institution=institution,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        detail=detail or {},
        ip_address=ip_address,
    )


def audit_request(request, *, action: str, obj=None, institution=None, detail=None) -> AuditEntry:
    """``audit`` with the actor, role and address taken from the request."""
    actor = getattr(request, "actor", None)
    return audit(
        actor=request.user,
        action=action,
        obj=obj,
        institution=institution if institution is not None else getattr(actor, "institution", None),
        actor_role=actor.role if actor else "",
        detail=detail,
        ip_address=request.META.get("REMOTE_ADDR"),
    )
