"""Deterministic demo data, built by each capability in turn.

``manage.py demo_data`` creates a ``DemoContext`` (seeded RNG, shared cast) and
calls ``build(ctx)`` of every ``mentormemed.<app>.demo`` module in DEMO_ORDER.
Each capability adds its own data, so the demo always shows the whole product.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field

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
    staff: object = None
    institutions: dict = field(default_factory=dict)  # key -> Institution
    admins: dict = field(default_factory=dict)  # institution key -> Membership
    mentors: list = field(default_factory=list)  # Membership
    mentees: list = field(default_factory=list)  # Membership
    featured: dict = field(default_factory=dict)  # role -> Membership shown in the sign-ins
    sign_ins: list = field(default_factory=list)  # (role, email, note)
    genders: dict = field(default_factory=dict)  # membership id -> gender identity key fitting the pronouns
    names: dict = field(default_factory=dict)  # institution id -> full names already given


def build_all(ctx: DemoContext, stdout=None) -> DemoContext:
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
