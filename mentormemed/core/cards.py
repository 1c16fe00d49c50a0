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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mentormemed.core.types import ActorRequest


@dataclass(frozen=True)
class Card:
    template: str
    context: dict[str, object]  # the template's context
    order: int = 100


# ``(request, obj) -> Card | None``. The object is whatever its place shows (a mentorship on
# "relationship"), so the registry, which serves every place, cannot name one type for it.
CardProvider = Callable[["ActorRequest", Any], "Card | None"]

_PROVIDERS: dict[str, list[CardProvider]] = defaultdict(list)


def register_card(place: str, provider: CardProvider) -> CardProvider:
    if provider not in _PROVIDERS[place]:
        _PROVIDERS[place].append(provider)
    return provider


def cards_for(place: str, request: ActorRequest, obj: object) -> list[Card]:
    cards = [c for provider in _PROVIDERS[place] if (c := provider(request, obj)) is not None]
    return sorted(cards, key=lambda c: c.order)
