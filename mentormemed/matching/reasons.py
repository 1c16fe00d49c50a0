"""Why a mentor suits a mentee, worded in the reader's language (R10, R28).

A ``MatchReason`` is a string in the active language ("offers: research", "ofrece: research") that also
carries its ``code`` and the facts that word it (facet keys, area names, responsiveness figures), so a
reason stored on a program's proposal (``as_json``) is worded again for whoever reads it
(``match_reason``): the admin reviewing a round in theirs, the mentee introduced in theirs. Names from
the taxonomy (areas, places, identities) are the institution's data and read as the taxonomy has them.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.matching.index import catalog
from mentormemed.profiles import responsiveness

SHORT_LABELS = {
    "id:first_generation:first_generation": _("first-generation"),
    "id:rural_background:rural": _("rural background"),
    "id:img:img": _("international medical graduate"),
    "id:socioeconomic:economically_disadvantaged": _("economically disadvantaged background"),
    "id:veteran:veteran": _("veteran"),
    "id:parent_caregiver:parent": _("parent"),
    "id:parent_caregiver:adult_caregiver": _("caregiver"),
}
CODES = frozenset({"shares", "offers", "responsiveness", "asked", "near_peer"})


def share_label(key: str) -> str:
    if key in SHORT_LABELS:
        return str(SHORT_LABELS[key])
    info = catalog().get(key)
    label = info.label if info else key.rsplit(":", 1)[1]
    if key.startswith(("state:", "country:")):
        return gettext("home %(place)s") % {"place": label}
    return label


def _word(code: str, params: dict[str, Any]) -> str:
    if code == "shares":
        labels = dict.fromkeys(share_label(k) for k in params.get("keys", []))
        return gettext("shares: %(what)s") % {"what": ", ".join(labels)}
    if code == "offers":
        return gettext("offers: %(areas)s") % {"areas": ", ".join(params.get("areas", []))}
    if code == "responsiveness":
        figures = responsiveness.Responsiveness(params.get("hours"), params.get("rate"), params.get("decided") or 0)
        return responsiveness.wording(figures)
    if code == "asked":
        return gettext("you asked for this mentor")
    if code == "near_peer":
        return gettext("near-peer mentor: a senior learner")
    raise ValueError(f"Unknown match reason: {code}")


_word_lazy = lazy(_word, str)


class MatchReason(str):
    """One reason, worded in the language active when it was made; ``as_json`` keeps what words it."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> MatchReason:
        reason = super().__new__(cls, _word(code, params))
        reason.code, reason.params = code, params
        return reason

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}

    @property
    def lazy(self) -> str:
        """The same reason, worded when read (in a notification's recipient's language)."""
        return _word_lazy(self.code, self.params)


def match_reason(stored: str | dict) -> str:
    """A stored reason worded in the active language. Proposals made before reasons carried a code
    hold an English sentence: it reads as stored."""
    if isinstance(stored, dict) and stored.get("code") in CODES:
        return MatchReason(stored["code"], **(stored.get("params") or {}))
    return str(stored)


def worded(stored: list) -> list[str]:
    """Every stored reason of a proposal, worded in the active language."""
    return [match_reason(r) for r in stored or []]


def _joined(stored: list, limit: int) -> str:
    return "; ".join(worded(stored)[:limit])


joined_lazy = lazy(_joined, str)
"""``joined_lazy(proposal.reasons, 3)``: "a; b; c", worded when read (in a notification's recipient's language)."""


def of_profile(profile) -> MatchReason:
    """The responsiveness reason of a mentor, from the stored figures (``profiles.responsiveness``)."""
    figures = responsiveness.of(profile)
    return MatchReason("responsiveness", hours=figures.median_hours, rate=figures.answer_rate, decided=figures.decided)
