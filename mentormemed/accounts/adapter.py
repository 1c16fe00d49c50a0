"""allauth adapter: accounts are created only through an institution's invitation, and members of
an institution that requires its campus login cannot sign in any other way (R33)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.shortcuts import render


@dataclass(frozen=True)
class Refusal:
    """Why a password sign-in is refused: the page to show instead (status 403)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


# Checks an app above accounts adds in its AppConfig.ready() (sso: the campus login an institution
# requires, R33): ``check(user)`` returns a Refusal, or None to let the sign-in go on.
LoginCheck = Callable[[Any], Refusal | None]
_LOGIN_CHECKS: dict[str, LoginCheck] = {}


def register_login_check(key: str, check: LoginCheck) -> None:
    _LOGIN_CHECKS[key] = check


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Invitation links create accounts (accounts.views.invitation); open
        # self-signup would let anyone in without an institution.
        return False

    def pre_login(self, request, user, **kwargs):
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        from allauth.account.internal.stagekit import clear_login

        if not user.is_staff and not user.memberships.exclude(status="ended").exists():
            # Every membership ended (left, graduated, deprovisioned): nothing to sign in to (R1, R33).
            clear_login(request)
            return render(request, "accounts/no_membership.html", status=403)
        if (kwargs.get("signal_kwargs") or {}).get("sociallogin") is not None:
            return None  # a campus sign-in: the SSO adapter has bound it to the institution
        for check in _LOGIN_CHECKS.values():
            refusal = check(user)
            if refusal is not None:
                clear_login(request)
                return render(request, refusal.template, refusal.context, status=403)
        return None
