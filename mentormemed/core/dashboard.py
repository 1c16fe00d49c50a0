"""Home-page panels: each capability registers a function returning a panel (or None)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentormemed.core.types import ActorRequest


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: dict[str, object]  # the template's context
    order: int = 100


PanelProvider = Callable[["ActorRequest"], "Panel | None"]

_PROVIDERS: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    """``provider(request) -> Panel | None``; order of registration does not matter."""
    _PROVIDERS.append(provider)
    return provider


def dashboard_panels(request: ActorRequest) -> list[Panel]:
    panels = [p for provider in _PROVIDERS if (p := provider(request)) is not None]
    return sorted(panels, key=lambda p: p.order)


# Read-only panels of the "access paused" page (R1): while a subscription lapses its members
# still see their history, their upcoming meetings and whom to contact — nothing they can change.
_PAUSED_PROVIDERS: list[PanelProvider] = []


def register_paused_panel(provider: PanelProvider) -> PanelProvider:
    """``provider(request) -> Panel | None``, shown read-only to members whose access is paused."""
    _PAUSED_PROVIDERS.append(provider)
    return provider


def paused_panels(request: ActorRequest) -> list[Panel]:
    panels = [p for provider in _PAUSED_PROVIDERS if (p := provider(request)) is not None]
    return sorted(panels, key=lambda p: p.order)
