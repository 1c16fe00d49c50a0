"""The invitations accounts are created from. Institutions issues them and sits above accounts, so it
registers how to read and accept one in ``InstitutionsConfig.ready()``; the sign-up page and
``account_create_from_invitation`` use them through ``invitations()`` (docs/architecture.md, "Layers").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Invitations:
    by_token: Callable[[str], Any]  # (token) -> the invitation, or None
    problem: Callable[[Any], str]  # (invitation or None) -> a sentence why it cannot be used, else ""
    accept: Callable[..., Any]  # (*, token, acting) -> the membership it becomes; raises ``error``
    error: type[Exception]  # why an open invitation could not be accepted after all


_invitations: list[Invitations] = []


def register_invitations(invitations: Invitations) -> None:
    _invitations[:] = [invitations]


def invitations() -> Invitations:
    if not _invitations:
        raise ImproperlyConfigured("No invitations registered: is mentormemed.institutions installed?")
    return _invitations[0]
