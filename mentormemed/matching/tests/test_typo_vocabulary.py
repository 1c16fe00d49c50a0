"""R10 typos are corrected against the vocabulary of the mentors' texts (``profiles.SearchWord``), which
follows every edit and erasure, so a person's name does not outlive their text (issue 14, R40)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentormemed.lifecycle.erasure import erase_person
from mentormemed.matching.search import SearchParams, mentor_search
from mentormemed.matching.tests.test_free_text import _found, _mentor
from mentormemed.profiles.models import SearchWord
from mentormemed.profiles.services import refresh_mentor

pytestmark = pytest.mark.django_db


def _vocabulary() -> set[str]:
    return set(SearchWord.objects.values_list("word", flat=True))


def test_a_mentors_words_join_the_vocabulary_and_leave_it_with_their_last_text(cast):
    first = _mentor(cast.inst_a, "Ada", "Okonkwo", bio="Echocardiography teaching for every learner on the wards.")
    second = _mentor(cast.inst_a, "Ben", "Adeyemi", bio="Echocardiography and quality improvement projects.")
    assert {"okonkwo", "adeyemi", "echocardiography", "teaching"} <= _vocabulary()
    assert "ben" not in _vocabulary()  # under four letters: never a correction

    first.bio = "Simulation for every learner on the wards."
    first.save()
    refresh_mentor(first)
    words = _vocabulary()
    assert "simulation" in words
    assert "teaching" not in words  # no text has it any more
    assert "echocardiography" in words  # the other mentor's text still does

    erase_person(second.membership.user, now=timezone.now())
    assert "adeyemi" not in _vocabulary()  # an erased name leaves the vocabulary with the text
    assert "echocardiography" not in _vocabulary()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="typo correction is PostgreSQL's (pg_trgm)")
def test_r10_a_typo_is_corrected_once_and_the_searching_statements_never_compare_whole_texts(cast):
    okonkwo = _mentor(cast.inst_a, "Ada", "Okonkwo", specialties=["pediatrics"])
    assert _found(cast, "okonkow") == {okonkwo.pk}
    assert _found(cast, "okonkow pediatrcs") == {okonkwo.pk}  # every word corrected on its own
    params = SearchParams.from_query(QueryDict("q=okonkow"))
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        mentor_search(viewer=cast.mentee, params=params)
    with CaptureQueriesContext(connection) as warm:
        mentor_search(viewer=cast.mentee, params=params)
    similarity = [q["sql"] for q in cold.captured_queries if "<%" in q["sql"]]
    assert len(similarity) == 1 and "profiles_searchword" in similarity[0]  # the vocabulary, not the texts
    assert not any("<%" in q["sql"] for q in warm.captured_queries)  # the correction is cached
    assert not any("LIKE" in q["sql"] and "mentorsearchtext" in q["sql"] for q in warm.captured_queries)
