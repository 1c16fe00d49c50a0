"""Helpers that build complete profiles through the services (tests, demo, other apps' tests)."""

from __future__ import annotations

from collections.abc import Iterable

from mentormemed.core.access import Actor
from mentormemed.profiles import services
from mentormemed.profiles.models import (
    ContentArea,
    IdentityDimension,
    IdentityOption,
    Language,
    MenteeProfile,
    MentorProfile,
    Region,
    Specialty,
)


def complete_mentor_profile(
    membership,
    *,
    areas: Iterable[str] = ("research", "residency_applications"),
    specialties: Iterable[str] = ("internal_medicine",),
    languages: Iterable[str] = ("en",),
    native: str | None = "en",
    state: str | None = "IL",
    country: str | None = "US",
    identities: dict[str, tuple[list[str], bool]] | None = None,
    scope: str = "local",
    capacity: int = 3,
    consent: bool = True,
    trained: bool = True,
    **fields,
) -> MentorProfile:
    """A complete, searchable mentor profile. ``identities``: dimension key -> (option keys, shared).

    ``trained`` also completes the required mentor training (R7), so the mentor can accept
    requests and be recommended; ``trained=False`` leaves them "finishing training"."""
    if trained:
        from mentormemed.training.testing import complete_required

        complete_required(membership)
    defaults = {
        "bio": "I mentor learners through research, applications and the hidden curriculum of medicine. "
        "Ask me anything about finding your way.",
        "academic_rank": "Associate Professor",
        "title": "Associate Professor of Medicine",
        "availability_statement": "Two calls a month, evenings Central time.",
        "scope": scope,
        "capacity": capacity,
        "search_consent": consent,
        "native_language": Language.objects.get(key=native) if native else None,
        "home_state": Region.objects.get(kind="state", code=state) if state else None,
        "home_country": Region.objects.get(kind="country", code=country) if country else None,
        **fields,
    }
    profile = services.mentor_profile_save(
        acting=Actor.for_membership(membership),
        fields=defaults,
        specialties=Specialty.objects.filter(key__in=list(specialties)),
        content_areas=ContentArea.objects.filter(key__in=list(areas)),
        languages=Language.objects.filter(key__in=list(languages)),
    )
    set_identities(membership, identities or {})
    return services.refresh_mentor(profile)


def set_identities(membership, identities: dict[str, tuple[list[str], bool]]) -> None:
    for dim_key, (option_keys, shared) in identities.items():
        dimension = IdentityDimension.objects.get(key=dim_key)
        services.identity_set(
            acting=Actor.for_membership(membership),
            dimension=dimension,
            options=IdentityOption.objects.filter(dimension=dimension, key__in=option_keys),
            write_in="",
            shared=shared,
        )


def complete_mentee_profile(
    membership,
    *,
    needs: Iterable[str] = ("residency_applications", "research"),
    training_level: str = "MS3",
    affinities: dict[str, int] | None = None,
    identities: dict[str, tuple[list[str], bool]] | None = None,
    specialty_interests: Iterable[str] = (),
    languages: Iterable[str] = (),
    consent_matching: bool = True,
    **fields,
) -> MenteeProfile:
    acting = Actor.for_membership(membership)
    profile = services.mentee_profile_save(
        acting=acting,
        fields={"training_level": training_level, "consent_matching": consent_matching, **fields},
        specialty_interests=Specialty.objects.filter(key__in=list(specialty_interests)),
        languages=Language.objects.filter(key__in=list(languages)),
    )
    by_key = {a.key: a for a in ContentArea.objects.filter(key__in=list(needs))}
    services.mentee_needs_set(acting=acting, areas=[by_key[k] for k in needs])
    services.mentee_affinities_set(acting=acting, weights=affinities or {"first_generation": 2})
    set_identities(membership, identities or {})
    profile.refresh_from_db()  # the needs and affinities saved its completeness
    return profile


def tiny_png() -> bytes:
    """A valid 2×2 PNG, for photo tests."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (31, 78, 121)).save(buffer, format="PNG")
    return buffer.getvalue()


def matrix_mentor(cast, *, photo: bool = False) -> int:
    """The permission matrix's mentor profile: cast.mentor, complete and local (optionally with a photo)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    profile = complete_mentor_profile(cast.mentor, scope="local")
    if photo and not profile.photo:
        upload = SimpleUploadedFile("p.png", tiny_png(), content_type="image/png")
        profile = services.mentor_photo_set(acting=Actor.for_membership(cast.mentor), upload=upload)
    return profile.pk
