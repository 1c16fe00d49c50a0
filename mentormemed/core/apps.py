from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext, gettext_lazy

if TYPE_CHECKING:
    from mentormemed.institutions.models import Membership


class CoreConfig(AppConfig):
    name = "mentormemed.core"
    label = "core"

    def ready(self) -> None:
        from mentormemed.core import checks, lookups, panels  # noqa: F401  (panels: registers the staff panel)
        from mentormemed.core.onboarding import Step, StepState, register

        lookups.register()  # out-of-range ids in a multiple choice match nothing, not a 500
        from mentormemed.core.periodic import register_job
        from mentormemed.core.resume import resume_stranded

        register_job("resumed", resume_stranded)  # background work whose task was lost (core.resume)
        from django.db.backends.signals import connection_created

        from mentormemed.core.text import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="mmm-sqlite-fold")

        def mfa_state(membership: Membership) -> StepState:
            from allauth.mfa.models import Authenticator

            has = getattr(membership, "_has_totp", None)
            if has is None:
                has = Authenticator.objects.filter(user_id=membership.user_id, type=Authenticator.Type.TOTP).exists()
            if has:
                return StepState(
                    True, gettext("Your account asks for a code from your authenticator app."), gettext("Turned on.")
                )
            return StepState(
                False,
                gettext("Recommended: add an authenticator app so a stolen password is not enough."),
                gettext("Not turned on (optional)."),
            )

        # Optional for mentees and mentors (admins and staff are required to enrol by middleware).
        register(
            Step(
                "mfa",
                gettext_lazy("Turn on two-factor authentication"),
                frozenset({"mentee", "mentor"}),
                mfa_state,
                "mfa_activate_totp",
                order=90,
                topic=gettext_lazy("Two-factor authentication"),
                required=False,
                prepare=_prepare_mfa,
            )
        )


def _prepare_mfa(memberships: list[Membership]) -> None:
    """Attach whether each person has TOTP, in one query, for member lists."""
    from allauth.mfa.models import Authenticator

    users = {m.user_id for m in memberships}
    with_totp = set(
        Authenticator.objects.filter(user_id__in=users, type=Authenticator.Type.TOTP).values_list("user_id", flat=True)
    )
    for membership in memberships:
        # Attached for this page only, and read back with getattr (the model has no such field).
        membership._has_totp = membership.user_id in with_totp  # type: ignore[attr-defined]
