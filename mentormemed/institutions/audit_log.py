"""Reading the audit log (R26): filters, the role of every row, readable detail, CSV export.

Times are UTC throughout (the page says so and shows them so): an audit trail is compared
across people in different zones, and one clock avoids ambiguity at daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf

from mentormemed.accounts.models import Role
from mentormemed.core.models import AuditEntry
from mentormemed.institutions.models import Membership

ROLE_LABELS = {**dict(Role.choices), "staff": "Staff", "system": "System"}
CSV_HEADER = [
    "When (UTC)",
    "Who",
    "Role",
    "Institution",
    "Action",
    "Object type",
    "Object id",
    "Object",
    "Detail",
    "IP",
]


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    institution_id: int | None = None
    date_from: dt.date | None = None  # UTC days, inclusive
    date_to: dt.date | None = None


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def audit_entries(*, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Entries newest first, with ``role`` for every row that has one.

    ``role`` is the role recorded with the entry; for an older entry recorded without it, the
    actor's role at the entry's institution (staff: "staff"); "system" when nobody acted.
    """
    qs = AuditEntry.objects.select_related("actor", "institution")
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    if filters.institution_id:
        qs = qs.filter(institution_id=filters.institution_id)
    if filters.date_from:
        qs = qs.filter(at__gte=_utc_midnight(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_utc_midnight(filters.date_to + dt.timedelta(days=1)))
    member_role = Membership.objects.filter(user_id=OuterRef("actor_id"), institution_id=OuterRef("institution_id"))
    return qs.annotate(
        role=Coalesce(
            NullIf("actor_role", Value("")),
            Case(
                When(actor__isnull=True, then=Value("system")),
                When(actor__is_staff=True, then=Value("staff")),
                default=Subquery(member_role.order_by("role").values("role")[:1]),
                output_field=CharField(),
            ),
            output_field=CharField(),
        )
    )


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", role or "")


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v) for v in value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def detail_pairs(detail: dict | None) -> list[tuple[str, str]]:
    """``{"paid_on": "2026-03-01", "changes": {"a": 1}}`` → ``[("paid on", "2026-03-01"), ("changes", "a: 1")]``."""
    if not isinstance(detail, dict):
        return [("detail", _value_text(detail))] if detail else []
    return [(str(k).replace("_", " "), _value_text(v)) for k, v in detail.items()]


def detail_text(detail: dict | None) -> str:
    return "; ".join(f"{k}: {v}" for k, v in detail_pairs(detail))


def csv_rows(entries: Iterable[AuditEntry]) -> Iterator[list[str]]:
    for e in entries:
        yield [
            e.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor.email if e.actor else "system",
            role_label(e.role),
            e.institution.name if e.institution else "",
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            detail_text(e.detail),
            e.ip_address or "",
        ]
