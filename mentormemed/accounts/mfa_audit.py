"""R26: changes to a person's second factors are audited (allauth sends these after commit)."""

from __future__ import annotations

from allauth.mfa import signals
from django.dispatch import receiver

from mentormemed.core.audit import audit, client_ip

ACTIONS = {"totp": "mfa.totp", "recovery_codes": "mfa.recovery_codes", "webauthn": "mfa.passkey"}


def _record(request, user, authenticator, change: str) -> None:
    audit(
        actor=user,
        action=f"{ACTIONS.get(authenticator.type, 'mfa.' + authenticator.type)}.{change}",
        obj=authenticator,
        detail={"type": authenticator.type},
        ip_address=client_ip(request),
    )


@receiver(signals.authenticator_added)
def _added(sender, request, user, authenticator, **kwargs) -> None:
    _record(request, user, authenticator, "added")


@receiver(signals.authenticator_reset)
def _reset(sender, request, user, authenticator, **kwargs) -> None:
    _record(request, user, authenticator, "regenerated")


@receiver(signals.authenticator_removed)
def _removed(sender, request, user, authenticator, **kwargs) -> None:
    _record(request, user, authenticator, "removed")
