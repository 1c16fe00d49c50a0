"""The kinds of notification people can choose a delivery for (R31). Apps register theirs."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from mentormemed.core.types import Text


@dataclass(frozen=True)
class Kind:
    key: str
    label: Text
    default: str = "immediate"  # or "digest"
    roles: frozenset[str] = frozenset({"mentee", "mentor", "admin", "staff"})


_KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    _KINDS[kind.key] = kind


def get_kind(key: str) -> Kind:
    return _KINDS.get(key) or Kind(key, key.replace("_", " ").capitalize())


def kinds_for(role: str | None) -> list[Kind]:
    return [k for k in _KINDS.values() if role is None or role in k.roles]


for _kind in [
    Kind("request_received", gettext_lazy("A mentee sends me a request"), roles=frozenset({"mentor"})),
    Kind(
        "request_reminder", gettext_lazy("Reminders about requests waiting for my answer"), roles=frozenset({"mentor"})
    ),
    Kind("request_answered", gettext_lazy("A mentor answers my request"), roles=frozenset({"mentee"})),
    Kind("request_expired", gettext_lazy("A request expires"), roles=frozenset({"mentee", "mentor"})),
    Kind(
        "request_withdrawn", gettext_lazy("A mentee withdraws a request"), default="digest", roles=frozenset({"mentor"})
    ),
    Kind("message", gettext_lazy("A new message in a mentorship"), roles=frozenset({"mentee", "mentor"})),
    Kind(
        "relationship",
        "Compact, goals and changes in a mentorship",
        default="digest",
        roles=frozenset({"mentee", "mentor"}),
    ),
    Kind("checkin", gettext_lazy("The early check-in on a new mentorship"), roles=frozenset({"mentee", "mentor"})),
    Kind(
        "suspension",
        gettext_lazy("Mentor suspensions and reinstatements"),
        roles=frozenset({"mentor", "admin", "staff"}),
    ),
]:
    register_kind(_kind)
