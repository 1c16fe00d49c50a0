from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mentormemed.core"
    label = "core"

    def ready(self) -> None:
        from mentormemed.core import lookups
        from mentormemed.core.onboarding import Step, StepState, register

        lookups.register()  # out-of-range ids in a multiple choice match nothing, not a 500
        from django.db.backends.signals import connection_created

        from mentormemed.core.text import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="mmm-sqlite-fold")

        def mfa_state(membership) -> StepState:
            from allauth.mfa.models import Authenticator

            has = getattr(membership, "_has_totp", None)
            if has is None:
                has = Authenticator.objects.filter(user_id=membership.user_id, type=Authenticator.Type.TOTP).exists()
            if has:
                return StepState(True, "Your account asks for a code from your authenticator app.", "Turned on.")
            return StepState(
                False,
                "Recommended: add an authenticator app so a stolen password is not enough.",
                "Not turned on (optional).",
            )

        # Optional for mentees and mentors (admins and staff are required to enrol by middleware).
        register(
            Step(
                "mfa",
                "Turn on two-factor authentication",
                frozenset({"mentee", "mentor"}),
                mfa_state,
                "mfa_activate_totp",
                order=90,
                topic="Two-factor authentication",
                required=False,
                prepare=_prepare_mfa,
            )
        )


def _prepare_mfa(memberships: list) -> None:
    """Attach whether each person has TOTP, in one query, for member lists."""
    from allauth.mfa.models import Authenticator

    users = {m.user_id for m in memberships}
    with_totp = set(
        Authenticator.objects.filter(user_id__in=users, type=Authenticator.Type.TOTP).values_list("user_id", flat=True)
    )
    for membership in memberships:
        membership._has_totp = membership.user_id in with_totp
