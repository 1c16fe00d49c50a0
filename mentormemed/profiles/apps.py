from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class ProfilesConfig(AppConfig):
    name = "mentormemed.profiles"
    label = "profiles"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.profiles import demo

        demo.build(ctx)

    def demo_sign_ins(self) -> list[str]:
        """The demo's suspended mentors, for the printed sign-ins (an admin can reinstate them)."""
        from mentormemed.profiles.demo import suspended_mentors

        return [
            f"{email} (suspended after missed responses: an admin can reinstate),\n" for email in suspended_mentors()
        ]

    def ready(self) -> None:
        from mentormemed.institutions.signals import membership_status_changed
        from mentormemed.profiles.onboarding import register_steps

        register_steps()
        membership_status_changed.connect(_copy_membership_status, dispatch_uid="profiles-membership-status")


def _copy_membership_status(sender, membership, **kwargs) -> None:
    """Search reads a mentor's membership status from their profile (``mentor_membership_sync``)."""
    from mentormemed.profiles.services import mentor_membership_sync

    mentor_membership_sync(membership)
