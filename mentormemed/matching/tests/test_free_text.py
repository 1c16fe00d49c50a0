"""R10 free text: what a person types into the search box finds what they mean (both databases)."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from mentormemed.core.text import document, fold, matches, query_words
from mentormemed.matching.search import SearchParams, mentor_search
from mentormemed.profiles.models import MentorProfile
from mentormemed.profiles.testing import complete_mentor_profile
from mentormemed.testing.factories import MembershipFactory, UserFactory, onboard

pytestmark = pytest.mark.django_db


def _mentor(inst, first: str, last: str, **kwargs) -> MentorProfile:
    user = UserFactory(first_name=first, last_name=last)
    kwargs.setdefault(
        "bio", "I have guided learners for years, on the wards and beyond, and I enjoy every conversation."
    )
    return complete_mentor_profile(onboard(MembershipFactory(institution=inst, role="mentor", user=user)), **kwargs)


def _found(cast, q: str) -> set[int]:
    params = SearchParams.from_query(QueryDict(f"q={q}"))
    return {h.mentor.pk for h in mentor_search(viewer=cast.mentee, params=params).hits}


def test_normalisation_is_one_definition():
    assert fold("Hernández-López") == "hernandez lopez"
    assert document("Orthopaedic surgery", "Paediatrics") == "orthopedic surgery pediatrics"
    assert query_words("Paediatric RESIDENCIES ob/gyn") == ["pediatric", "residenc", "ob", "gyn"]
    assert query_words("peds") == ["pediatric"]
    assert matches(document("Pediatrics — Neonatology"), query_words("paediatric neonat"))
    assert not matches(document("Roman Diaz"), query_words("man"))  # a word start, not any substring


def test_r10_free_text_forgives_accents_case_variants_and_finds_every_shared_field(cast):
    maria = _mentor(
        cast.inst_a,
        "María",
        "Hernández",
        specialties=["pediatrics"],
        areas=["research"],
        languages=["en", "es"],
        identities={"race_ethnicity": (["black_nigerian"], True)},
    )
    ortho = _mentor(cast.inst_a, "Kwame", "Osei", specialties=["orthopaedic_surgery"], areas=["teaching"])
    hidden = _mentor(
        cast.inst_a,
        "Lena",
        "Park",
        areas=["research"],
        identities={"race_ethnicity": (["black_nigerian"], False)},  # private (R8)
    )
    assert _found(cast, "Hernandez") == {maria.pk}
    assert _found(cast, "hernández maria") == {maria.pk}
    assert _found(cast, "HERNANDEZ") == {maria.pk}
    assert _found(cast, "paediatric") == {maria.pk}
    assert _found(cast, "pediatrics") == {maria.pk}
    assert _found(cast, "orthopedic") == {ortho.pk}
    assert _found(cast, "orthopaedic") == {ortho.pk}
    assert _found(cast, "spanish") == {maria.pk}
    assert _found(cast, "Nigerian") == {maria.pk}, "a shared identity answer is found; a private one never"
    assert _found(cast, "research") == {maria.pk, hidden.pk}
    assert _found(cast, cast.inst_a.name.split()[0]) == {maria.pk, ortho.pk, hidden.pk}
    assert _found(cast, "Osei teaching") == {ortho.pk}
    assert _found(cast, "Osei research") == set(), "every word must match"


def test_r10_free_text_follows_a_sharing_change(cast):
    from mentormemed.profiles.services import refresh_mentor
    from mentormemed.profiles.testing import set_identities

    mentor = _mentor(cast.inst_a, "Ada", "Obi", identities={"race_ethnicity": (["black_nigerian"], True)})
    assert _found(cast, "nigerian") == {mentor.pk}
    set_identities(mentor.membership, {"race_ethnicity": (["black_nigerian"], False)})
    refresh_mentor(mentor)
    assert _found(cast, "nigerian") == set()


def test_r10_free_text_finds_a_new_word_at_once_though_matches_are_shared_for_a_minute(cast):
    """Free-text matches are cached for every viewer (PostgreSQL); a mentor's rewritten text is
    found, and no longer found by its old words, on the very next search — even when another
    search ran while the index rows were written but the text not yet (it cached the old text)."""
    from mentormemed.profiles import signals
    from mentormemed.profiles.services import refresh_mentor

    mentor = _mentor(cast.inst_a, "Ada", "Obi")
    assert _found(cast, "zebrafish") == set()
    assert _found(cast, "wards") == {mentor.pk}
    MentorProfile.objects.filter(pk=mentor.pk).update(
        bio="My lab studies zebrafish heart regeneration, and I enjoy helping learners find their own questions."
    )
    mentor.refresh_from_db()

    def search_meanwhile(sender, **kwargs):
        _found(cast, "zebrafish")
        _found(cast, "wards")

    signals.mentor_refreshed.connect(search_meanwhile, dispatch_uid="search-meanwhile")
    try:
        refresh_mentor(mentor)
    finally:
        signals.mentor_refreshed.disconnect(dispatch_uid="search-meanwhile")
    assert _found(cast, "zebrafish") == {mentor.pk}
    assert _found(cast, "wards") == set()


@pytest.mark.postgres
def test_r10_postgresql_also_forgives_typos_and_word_forms(cast):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram and full-text matching are PostgreSQL's")
    mentor = _mentor(cast.inst_a, "Chidi", "Okonkwo", specialties=["pediatrics"], areas=["research"])
    _mentor(cast.inst_a, "Sam", "Lee", specialties=["internal_medicine"], areas=["teaching"])
    assert _found(cast, "okonkow") == {mentor.pk}  # a typo: trigram word similarity
    assert _found(cast, "pediatrcs") == {mentor.pk}


def test_r10_a_word_found_as_typed_is_not_corrected(cast):
    """Typo tolerance is for words nothing matches as typed ("did you mean"): a word that starts a word
    of some document, or matches its stem, finds those documents only, so the similarity (costly on
    every document) never runs for it. Both sides of the rule, on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram matching is PostgreSQL's")
    okonkwo = _mentor(cast.inst_a, "Chidi", "Okonkwo", areas=["research"])
    okonkow = _mentor(cast.inst_a, "Ada", "Okonkow", areas=["teaching"])
    assert _found(cast, "okonkwo") == {okonkwo.pk}  # found as typed: the near spelling is not added
    assert _found(cast, "okonkow") == {okonkow.pk}
    okonkow.delete()
    assert _found(cast, "okonkow") == {okonkwo.pk}  # nothing as typed any more: corrected
