"""The program's milestones on a program relationship's page (only the pair sees that page)."""

from __future__ import annotations

from mentormemed.core.cards import Card
from mentormemed.programs.selectors import relationship_milestones


def milestones_card(request, relationship) -> Card | None:
    program, rows = relationship_milestones(relationship=relationship)
    if program is None:
        return None
    return Card("programs/_milestones_card.html", {"program": program, "rows": rows, "rel": relationship}, order=10)
