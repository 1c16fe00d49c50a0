"""Contact between two people, which a capability may forbid (R37: a report can block contact).

Lower layers (matching, mentorships, scheduling) ask here before they let one person reach
another; the capability that records blocks registers how to answer in its ``ready()``.
Nothing here knows why contact is refused, so no layer reaches up for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

# (user id acting, user id of the other person) -> a sentence saying why contact is refused, or None.
Refusal = Callable[[int, int], "str | None"]
# user id -> lazy querysets of user ids whose profiles are hidden from that person (search, recommendations);
# lazy so that the search query embeds them as subqueries instead of spending a query of its own.
Hidden = Callable[[int], list[QuerySet[Any]]]

_refusals: list[Refusal] = []
_hidden: list[Hidden] = []


def register_refusal(check: Refusal) -> None:
    _refusals.append(check)


def register_hidden(source: Hidden) -> None:
    _hidden.append(source)


def contact_refused(*, user_id: int, other_id: int) -> str | None:
    """Why ``user_id`` may not message, book or ask ``other_id`` now (a sentence), or None."""
    for check in _refusals:
        reason = check(user_id, other_id)
        if reason:
            return reason
    return None


def hidden_user_queries(*, user_id: int) -> list[QuerySet[Any]]:
    """Lazy querysets of the ids of users whose profiles ``user_id`` must not be shown."""
    return [query for source in _hidden for query in source(user_id)]
