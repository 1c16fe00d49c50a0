"""Writing audit entries. Services call ``audit`` inside their transaction."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.db import models

from mentormemed.core.models import AuditEntry

# The acting principal of the request being served (set by ActingMembershipMiddleware), so an
# entry a service writes for that same user records the role they acted in and their address.
_request_actor: ContextVar[tuple[Any, str] | None] = ContextVar("mentormemed_request_actor", default=None)


def bind_request_actor(actor, ip_address: str | None):
    """Bind the request's actor for ``audit``; returns the token to ``unbind_request_actor``."""
    return _request_actor.set((actor, ip_address or ""))


def unbind_request_actor(token) -> None:
    _request_actor.reset(token)


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
    bound = _request_actor.get()
    if bound is not None and actor is not None and getattr(bound[0], "user", None) == actor:
        actor_role = actor_role or (bound[0].role or "")
        ip_address = ip_address or bound[1] or None
    if not actor_role:
        actor_role = "system" if actor is None else ("staff" if getattr(actor, "is_staff", False) else "")
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
