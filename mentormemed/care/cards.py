"""The mentorship page's care card, registered for the ``"relationship"`` place (core.cards)."""

from __future__ import annotations

from mentormemed.care import selectors
from mentormemed.care.forms import CheckInAnswerForm
from mentormemed.care.models import CheckInOccasion
from mentormemed.core.cards import Card


def relationship_card(request, relationship) -> Card | None:
    """The pair's own view: the signal from facts they share, their open check-ins, report/block/concern."""
    user = request.user
    side = relationship.side_of(user)
    if side is None:
        return None
    signal = selectors.relationship_signal(relationship=relationship).for_pair() if relationship.is_active else None
    checkins = selectors.open_checkins(relationship=relationship, side=side) if relationship.is_active else []
    forms = [
        (c, CheckInAnswerForm(periodic=c.occasion == CheckInOccasion.PERIODIC, prefix_id=f"c{c.pk}")) for c in checkins
    ]
    other = relationship.other_user(user)
    return Card(
        "care/_relationship_card.html",
        {
            "rel": relationship,
            "side": side,
            "signal": signal,
            "checkins": forms,
            "paused": selectors.is_paused(relationship=relationship),
            "my_block": selectors.my_block(user=user, other_id=other.pk),
            "other": other,
        },
        order=10,
    )
