"""allauth adapter: accounts are created only through an institution's invitation."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Invitation links create accounts (accounts.views.invitation); open
        # self-signup would let anyone in without an institution.
        return False
