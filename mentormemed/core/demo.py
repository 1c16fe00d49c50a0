"""Deterministic demo data, built by each capability in turn.

``manage.py demo_data`` creates a ``DemoContext`` (seeded RNG, shared cast) and asks every
installed app in DEMO_ORDER for its part: an app takes part by giving its ``AppConfig`` a
``build_demo(ctx)`` method (which imports its own ``demo`` module only then), and may add lines
to the printed sign-ins with ``demo_sign_ins()``. Core reaches the apps through Django's app
registry, never by importing them. Each capability adds its own data, so the demo always shows
the whole product.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from django.apps import apps

if TYPE_CHECKING:
    from django.core.management.base import OutputWrapper

    from mentormemed.accounts.models import User
    from mentormemed.institutions.models import Institution, Membership

DEMO_ORDER = [
    "institutions",
    "profiles",
    "training",
    "mentorships",
    "evaluations",  # its ended mentorships come before scheduling, so they have held meetings too
    "scheduling",
    "outcomes",
    "programs",
    "care",
    "sso",
    "provisioning",
    "lifecycle",
]
DEMO_PASSWORD = "mentormemed-demo"
DEMO_TOTP_SECRET = "MENTORMEMEDDEMOTOTPSECRETABCDEFG"  # base32, 160 bits
DEMO_DOMAIN = "demo.mentormemed.org"


@dataclass
class DemoContext:
    rng: random.Random = field(default_factory=lambda: random.Random(2022))
    staff: User | None = None
    institutions: dict[str, Institution] = field(default_factory=dict)  # key -> Institution
    admins: dict[str, Membership] = field(default_factory=dict)  # institution key -> Membership
    mentors: list[Membership] = field(default_factory=list)
    mentees: list[Membership] = field(default_factory=list)
    featured: dict[str, Membership] = field(default_factory=dict)  # role -> Membership shown in the sign-ins
    sign_ins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, email, note)
    genders: dict[int, str] = field(default_factory=dict)  # membership id -> gender identity key fitting the pronouns
    names: dict[int, set[tuple[str, str]]] = field(default_factory=dict)  # institution id -> full names already given


def _taking_part(method: str) -> list[tuple[str, Any]]:
    """(label, bound method) of each installed app in DEMO_ORDER whose AppConfig has ``method``."""
    found = []
    for label in DEMO_ORDER:
        if apps.is_installed(f"mentormemed.{label}"):
            part = getattr(apps.get_app_config(label), method, None)
            if part is not None:
                found.append((label, part))
    return found


def build_all(ctx: DemoContext, stdout: OutputWrapper | TextIO | None = None) -> DemoContext:
    for app, build in _taking_part("build_demo"):
        if stdout:
            stdout.write(f"  demo: {app}")
        build(ctx)
    return ctx


def sign_in_lines() -> list[str]:
    """The apps' own lines for the printed sign-ins (e.g. the suspended mentors to reinstate)."""
    return [line for _app, lines in _taking_part("demo_sign_ins") for line in lines()]
