"""Completeness of mentor and mentee profiles: the meter and the searchability gate (R8)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Completeness:
    done: list[str]
    missing: list[str]

    @property
    def percent(self) -> int:
        total = len(self.done) + len(self.missing)
        return round(100 * len(self.done) / total) if total else 100

    @property
    def complete(self) -> bool:
        return not self.missing


MENTOR_BIO_MIN = 80  # characters: a sentence or two a mentee can decide on


def _has(profile, annotation: str, relation: str) -> bool:
    """Whether a related set is non-empty; uses a bulk-loaded count when a list page provided one."""
    if profile.pk is None:
        return False
    count = getattr(profile, annotation, None)
    return count > 0 if count is not None else getattr(profile, relation).exists()


def mentor_completeness(profile) -> Completeness:
    """Required items of the comprehensive profile (photo and identities are optional)."""
    checks = [
        ("A bio of at least two sentences", len(profile.bio.strip()) >= MENTOR_BIO_MIN),
        ("Academic rank or title", bool(profile.academic_rank or profile.title)),
        ("At least one specialty", _has(profile, "n_specialties", "specialties")),
        ("At least one area you offer help with", _has(profile, "n_areas", "content_areas")),
        ("At least one language", _has(profile, "n_languages", "languages")),
        ("Home state or country", bool(profile.home_state_id or profile.home_country_id)),
        ("An availability statement", bool(profile.availability_statement.strip())),
        ("Mentor, sponsor or both", profile.offers_mentoring or profile.offers_sponsorship),
    ]
    return Completeness([label for label, ok in checks if ok], [label for label, ok in checks if not ok])


def mentee_completeness(profile) -> Completeness:
    checks = [
        ("Training level", bool(profile.training_level)),
        ("At least one area of need", _has(profile, "n_needs", "needs")),
        ("How much shared characteristics matter to you", _has(profile, "n_affinities", "affinities")),
    ]
    return Completeness([label for label, ok in checks if ok], [label for label, ok in checks if not ok])
