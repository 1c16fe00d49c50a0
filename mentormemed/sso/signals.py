"""Remember how a session signed in: through a campus IdP (and with which assurance), or not."""

from __future__ import annotations

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from mentormemed.sso.selectors import SESSION_KEY


@receiver(user_logged_in, dispatch_uid="sso.remember_sign_in")
def remember_sign_in(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    sociallogin = kwargs.get("sociallogin")
    campus = sociallogin.state.get("campus") if sociallogin is not None else None
    if campus and campus.get("user") == user.pk:
        from mentormemed.sso.adapter import remember_campus_sign_in

        remember_campus_sign_in(request, campus)
    else:
        request.session.pop(SESSION_KEY, None)
