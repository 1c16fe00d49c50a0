"""The onboarding checklist: a registry that each capability adds steps to.

A step belongs to roles, knows whether a membership has done it and where to
do it. Gates (sending or accepting a request) ask ``missing_steps``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from mentormemed.core.types import Text

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from mentormemed.institutions.models import Membership


@dataclass(frozen=True)
class StepState:
    done: bool
    detail: str = ""  # said to the member ("Read and accept the agreement.")
    about: str = ""  # said about the member, for their program office ("Has not accepted the agreement yet.")

    @property
    def about_member(self) -> str:
        return self.about or self.detail


@dataclass(frozen=True)
class Step:
    key: str
    label: Text  # an instruction to the member ("Accept the agreement")
    roles: frozenset[str]
    check: Callable[[Membership], StepState]
    url_name: str
    order: int = 100
    # Steps that gate requests; informational steps (e.g. optional MFA) do not.
    required: bool = True
    # For list pages: ``prepare(memberships: list)`` loads in bulk what ``check``
    # reads and attaches it to each membership, so a page costs a fixed number of queries.
    prepare: Callable[[list[Membership]], object] | None = None
    # For searches: ``unready(role)`` is a subquery of the ids of memberships of that role
    # that have not done the step, so a list of mentors can leave them out in SQL.
    unready: Callable[[str], QuerySet[Membership, object]] | None = None  # rows: e.g. ``values("pk")``
    # The step named as a topic, for pages about the member ("Agreement"); defaults to ``label``.
    topic: Text = ""

    @property
    def topic_label(self) -> Text:
        return self.topic or self.label

    def url(self) -> str:
        return reverse(self.url_name)


_STEPS: dict[str, Step] = {}


def register(step: Step) -> None:
    _STEPS[step.key] = step


def steps_for(role: str) -> list[Step]:
    return sorted((s for s in _STEPS.values() if role in s.roles), key=lambda s: s.order)


def prepare_checklists(memberships: list[Membership]) -> list[Membership]:
    """Let every step load its data for a whole page of memberships at once."""
    for step in _STEPS.values():
        if step.prepare is not None:
            step.prepare(memberships)
    return memberships


def checklist(membership: Membership) -> list[tuple[Step, StepState]]:
    return [(step, step.check(membership)) for step in steps_for(membership.role)]


def missing_steps(membership: Membership) -> list[Step]:
    return [step for step, state in checklist(membership) if step.required and not state.done]


def unready_membership_ids(role: str) -> list[QuerySet[Membership, object]]:
    """Subqueries of the ids of ``role`` memberships that a required step still stops (e.g. training, R7)."""
    return [s.unready(role) for s in steps_for(role) if s.required and s.unready is not None]


@dataclass(frozen=True)
class Progress:
    """Required steps only: an optional step left undone never makes an onboarded member look unfinished."""

    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done == self.total


def progress(items: list[tuple[Step, StepState]]) -> Progress:
    """Progress over a checklist (``checklist(membership)``), counting required steps only."""
    required = [state for step, state in items if step.required]
    return Progress(sum(state.done for state in required), len(required))


def is_complete(membership: Membership) -> bool:
    return not missing_steps(membership)
