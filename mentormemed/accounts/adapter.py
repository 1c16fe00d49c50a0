"""allauth adapter: accounts are created only through an institution's invitation, and members of
an institution that requires its campus login cannot sign in any other way (R33)."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.shortcuts import render


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
        from mentormemed.sso.selectors import login_url, sso_required_for

        idp = sso_required_for(user)
        if idp is None:
            return None
        clear_login(request)
        context = {"idp": idp, "login_url": login_url(idp), "institution": idp.institution}
        return render(request, "sso/required.html", context, status=403)
