"""The typo vocabulary (``profiles.SearchWord``): the words of the mentors' free texts, kept with the texts
by ``profiles.services.refresh_mentor`` and the erasure of a person (R10, R40; issue 14)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from mentormemed.profiles.models import MentorSearchText, SearchWord

SEARCH_WORD_LENGTHS = (4, 64)  # shorter words are not corrected into; longer ones are not words


def search_words(text: str) -> set[str]:
    """The words of a stored free text that belong in the typo vocabulary (``SearchWord``)."""
    shortest, longest = SEARCH_WORD_LENGTHS
    return {word for word in text.split() if shortest <= len(word) <= longest}


def add_search_words(words: Iterable[str]) -> None:
    SearchWord.objects.bulk_create([SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True)


def prune_search_words(words: Iterable[str]) -> int:
    """Remove those of ``words`` that no mentor's text contains any more; returns how many went.

    Called with the words a text lost (an edit, an erasure), so it reads a few words, each one
    indexed lookup (the text's trigram index on PostgreSQL)."""
    gone = [
        word
        for word in sorted(set(words))
        if not MentorSearchText.objects.filter(Q(text__contains=f" {word} ") | Q(text__endswith=f" {word}")).exists()
    ]
    if not gone:
        return 0
    deleted, _ = SearchWord.objects.filter(word__in=gone).delete()
    return deleted
