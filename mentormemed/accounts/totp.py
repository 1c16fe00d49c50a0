"""One-time TOTP codes: a step, once used, never signs in again (ASVS 2.8.4).

allauth remembers a used code for one 30-second period, but accepts a code for one step of
drift either side (``MFA_TOTP_TOLERANCE``), so the same code would work again 31 s later. We
keep the last accepted step per authenticator in the database and accept only later steps,
with a conditional UPDATE so two sign-ins racing with one code cannot both win.
"""

from __future__ import annotations

from allauth.mfa import app_settings
from allauth.mfa.totp.internal import auth
from allauth.mfa.utils import decrypt

from mentormemed.accounts.models import TotpStep


def matching_step(secret: str, code: str) -> int | None:
    """The step (counter) within the drift window whose code is ``code``, or None."""
    for counter in auth.yield_hotp_counters_from_time():
        if auth.compare_user_code(actual=code, expected=auth.format_hotp_value(auth.hotp_value(secret, counter))):
            return counter
    return None


def claim_step(authenticator_id: int, step: int) -> bool:
    """Record ``step`` as used if it is later than every step used before; False if it is not."""
    TotpStep.objects.get_or_create(authenticator_id=authenticator_id, defaults={"last_step": -1})
    return bool(TotpStep.objects.filter(authenticator_id=authenticator_id, last_step__lt=step).update(last_step=step))


def validate_code(self: auth.TOTP, code: str) -> bool:
    """Replacement for allauth's ``TOTP.validate_code``: valid, and for a step not used yet."""
    if auth._is_insecure_bypass(code):
        return True
    step = matching_step(decrypt(self.instance.data["secret"]), code)
    return step is not None and claim_step(self.instance.pk, step)


def install() -> None:
    """Called from the accounts app's ready(): every allauth TOTP check goes through ours."""
    assert app_settings.TOTP_PERIOD  # the steps are allauth's own period
    auth.TOTP.validate_code = validate_code
