"""Writing audit entries. Services call ``audit`` inside their transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import models
from ipware import get_client_ip

from mentormemed.core.models import AuditEntry

M = TypeVar("M", bound=models.Model)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mentormemed.core.access import Actor
    from mentormemed.institutions.models import Institution

# The acting principal of the request being served (set by ActingMembershipMiddleware), so an
# entry a service writes for that same user records the role they acted in and their address.
_request_actor: ContextVar[tuple[Actor, str] | None] = ContextVar("mentormemed_request_actor", default=None)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, read through the trusted reverse proxies (django-ipware).

    ``TRUSTED_PROXY_COUNT`` (settings, from the environment) is how many proxies stand between the
    client and the proxy that talks to us and appear in X-Forwarded-For; ``TRUSTED_PROXY_IPS``
    optionally names them. With the expected single nginx that appends ``$remote_addr`` it is 0:
    the right-most X-Forwarded-For entry is the client, and a client cannot spoof it by sending
    its own header (docs/operations.md, "Client addresses"). No header: REMOTE_ADDR.
    """
    if request is None:
        return None
    ip, _routable = get_client_ip(
        request,
        proxy_count=settings.TRUSTED_PROXY_COUNT,
        proxy_trusted_ips=settings.TRUSTED_PROXY_IPS or None,
        strict=False,
    )
    return ip or request.META.get("REMOTE_ADDR") or None


def bind_request_actor(actor: Actor, ip_address: str | None) -> Token[tuple[Actor, str] | None]:
    """Bind the request's actor for ``audit``; returns the token to ``unbind_request_actor``."""
    return _request_actor.set((actor, ip_address or ""))


def unbind_request_actor(token: Token[tuple[Actor, str] | None]) -> None:
    _request_actor.reset(token)


def _person_and_role(acting: Actor | None, actor: Any, actor_role: str) -> tuple[Any, str]:
    """The user an entry names and the role it records: from ``acting`` when given (its role; the
    system when nobody acts), else from a bare user (the request's role when it is that user)."""
    if acting is not None:
        if acting.is_system:
            return None, actor_role or "system"
        return acting.user, actor_role or (acting.role or "")
    return actor, actor_role


def audit(
    *,
    acting: Actor | None = None,
    actor: Any = None,
    action: str,
    obj: models.Model | None = None,
    institution: Institution | None = None,
    actor_role: str = "",
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Record that ``acting`` did ``action`` (to ``obj``). Never include message bodies or secrets.

    ``acting`` is the acting principal (``core.access.Actor``); ``actor`` (a bare user) remains for
    the write modules that do not take one yet (docs/architecture.md, "The acting principal")."""
    actor, actor_role = _person_and_role(acting, actor, actor_role)
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


def audit_many(
    *,
    acting: Actor | None = None,
    actor: Any = None,
    action: str,
    objs: Sequence[M],
    institution: Institution | None = None,
    actor_role: str = "",
    detail: Callable[[M], dict[str, Any]] | None = None,
) -> list[AuditEntry]:
    """``audit`` for many objects at once (one bulk insert), e.g. a roster's invitations."""
    actor, actor_role = _person_and_role(acting, actor, actor_role)
    if not actor_role:
        actor_role = "system" if actor is None else ("staff" if getattr(actor, "is_staff", False) else "")
    entries = [
        AuditEntry(
            actor=actor if getattr(actor, "pk", None) else None,
            actor_role=actor_role,
            institution=institution if institution is not None else getattr(obj, "institution", None),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            detail=detail(obj) if detail else {},
            ip_address=None,
        )
        for obj in objs
    ]
    return AuditEntry.objects.bulk_create(entries)


def audit_request(
    request: HttpRequest,
    *,
    action: str,
    obj: models.Model | None = None,
    institution: Institution | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """``audit`` with the actor, role and address taken from the request."""
    acting: Actor | None = getattr(request, "actor", None)
    return audit(
        actor=request.user,
        action=action,
        obj=obj,
        institution=institution if institution is not None else getattr(acting, "institution", None),
        actor_role=(acting.role or "") if acting else "",
        detail=detail,
        ip_address=client_ip(request),
    )
