"""Cards on another app's page: each capability registers a provider for a named place.

A page offers a place (e.g. ``"relationship"`` on a mentorship's page) with
``{% cards "relationship" obj %}``; providers ``(request, obj) -> Card | None`` registered
with ``register_card(place, provider)`` in ``ready()`` fill it. The page's app knows no
provider, so capabilities add cards without editing it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Card:
    template: str
    context: dict
    order: int = 100


_PROVIDERS: dict[str, list[Callable]] = defaultdict(list)


def register_card(place: str, provider: Callable) -> Callable:
    if provider not in _PROVIDERS[place]:
        _PROVIDERS[place].append(provider)
    return provider


def cards_for(place: str, request, obj) -> list[Card]:
    cards = [c for provider in _PROVIDERS[place] if (c := provider(request, obj)) is not None]
    return sorted(cards, key=lambda c: c.order)
