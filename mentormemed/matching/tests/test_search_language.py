"""The search page's own words in the reader's language: the sort and scope choices, the several-areas
choice and the facet groups are the product's strings (kept in Python), not taxonomy data."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import translation

from mentormemed.profiles.facets import catalog
from mentormemed.profiles.testing import complete_mentor_profile
from mentormemed.testing.factories import MembershipFactory, onboard

pytestmark = pytest.mark.django_db

SPANISH = [
    "Mejor coincidencia",
    "Responden antes",
    "Locales y nacionales",
    "Solo mi institución",
    "Solo otras instituciones",
    "Con varias áreas, mostrar mentores que",
    "ofrecen todas las áreas que elegí (menos mentores)",
    "Ofrece ayuda con",
]
ENGLISH = [
    "Best match",
    "Most responsive",
    "Local and national",
    "My institution only",
    "With several areas, show mentors who",
    "offer every area I chose",
    "Offers help with",
]


def _search_page(cast, language: str) -> str:
    mentor = onboard(MembershipFactory(institution=cast.inst_a, role="mentor"))
    complete_mentor_profile(mentor, areas=["research", "teaching"], languages=["en", "es"])
    cast.mentee.user.language = language
    cast.mentee.user.save(update_fields=["language"])
    response = cast.client_for(cast.mentee).get(reverse("matching:search"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_r10_the_search_page_reads_in_spanish(cast):
    page = _search_page(cast, "es")
    missing = [text for text in SPANISH if text not in page]
    assert not missing, f"not in Spanish: {missing}"
    left = [text for text in ENGLISH if text in page]
    assert not left, f"English left on the Spanish search page: {left}"


def test_r10_the_same_catalog_reads_in_each_readers_language(cast):
    page = _search_page(cast, "en")
    assert all(text in page for text in ENGLISH)
    info = catalog()["role:sponsor"]

    with translation.override("es"):
        assert (info.group_label, info.label) == ("Mentor o patrocinador", "Patrocinador/a")
    with translation.override("en"):
        assert (info.group_label, info.label) == ("Mentor or sponsor", "Sponsor")
