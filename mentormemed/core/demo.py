"""Deterministic demo data, built by each capability in turn.

``manage.py demo_data`` creates a ``DemoContext`` (seeded RNG, shared cast) and
calls ``build(ctx)`` of every ``mentormemed.<app>.demo`` module in DEMO_ORDER.
Each capability adds its own data, so the demo always shows the whole product.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

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


def build_all(ctx: DemoContext, stdout: OutputWrapper | TextIO | None = None) -> DemoContext:
    for app in DEMO_ORDER:
        try:
            module = importlib.import_module(f"mentormemed.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"mentormemed.{app}.demo":
                raise
            continue
        if stdout:
            stdout.write(f"  demo: {app}")
        module.build(ctx)
    return ctx
