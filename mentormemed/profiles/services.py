"""Writes of mentor and mentee profiles. Every save refreshes completeness and the search index."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mentormemed.core.access import Actor
from mentormemed.core.types import FieldValues
from mentormemed.institutions.models import Membership
from mentormemed.profiles import signals
from mentormemed.profiles.completeness import mentee_completeness, mentor_completeness
from mentormemed.profiles.facets import catalog, mentor_facet_keys
from mentormemed.profiles.models import (
    AffinityPreference,
    ContentArea,
    IdentityDimension,
    IdentityOption,
    IdentityValue,
    Language,
    MenteeNeed,
    MenteeProfile,
    MentorProfile,
    MentorSearchText,
    Specialty,
    mentor_membership_is_active,
)
from mentormemed.profiles.vocabulary import add_search_words, prune_search_words, search_words

MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_NEEDS = 8


class _PersonNames(Protocol):
    """A user's names (a ``User``, or the bench's stand-in)."""

    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def preferred_name(self) -> str: ...


class _MentorWords(Protocol):
    """A mentor's own words (a ``MentorProfile``, or the bench's stand-in)."""

    @property
    def title(self) -> str: ...
    @property
    def academic_rank(self) -> str: ...
    @property
    def bio(self) -> str: ...


def mentor_profile_for(membership: Membership) -> MentorProfile:
    profile, _ = MentorProfile.objects.get_or_create(membership=membership)
    return profile


def mentee_profile_for(membership: Membership) -> MenteeProfile:
    profile, _ = MenteeProfile.objects.get_or_create(membership=membership)
    return profile


def _own_mentor_profile(acting: Actor) -> MentorProfile:
    """The acting mentor's own profile (started on first save); nobody writes another's."""
    membership = acting.own_membership("side.mentor")
    profile = mentor_profile_for(membership)
    profile.membership = membership  # already read: its user and institution go into the search text
    return profile


def _own_mentee_profile(acting: Actor) -> MenteeProfile:
    """The acting mentee's own profile (started on first save); nobody writes another's."""
    membership = acting.own_membership("side.mentee")
    profile = mentee_profile_for(membership)
    profile.membership = membership
    return profile


def mentor_membership_sync(membership: Membership) -> int:
    """Copy ``membership``'s status onto its mentor profile (``MentorProfile.membership_active``).

    Called by every service that changes a membership's status, so search, which reads
    the copy, hides a suspended or ended mentor at once (R1). Returns the rows changed.
    """
    active = mentor_membership_is_active(membership)
    changed = (
        MentorProfile.objects.filter(membership_id=membership.pk)
        .exclude(membership_active=active)
        .update(membership_active=active)
    )
    if changed:  # cached facet counts include this mentor (matching drops them)
        signals.mentor_visibility_changed.send(sender=MentorProfile, membership=membership)
    return changed


def refresh_mentor(profile: MentorProfile) -> MentorProfile:
    """Recompute completeness, rewrite the facet index (shared values only), then the free text.

    The free text is built from the mentor's own words (name, title, rank, bio), their
    institution's name and the labels of their *index* keys — specialties, areas, languages,
    home, shared identity answers — so a private value cannot be found by typing it either
    (R8). It is stored in the normalised form of ``core.text`` (R10).
    """
    meter = mentor_completeness(profile)
    MentorProfile.objects.filter(pk=profile.pk).update(completeness=meter.percent, is_complete=meter.complete)
    profile.completeness, profile.is_complete = meter.percent, meter.complete
    keys = mentor_facet_keys(profile)
    signals.mentor_refreshed.send(sender=MentorProfile, profile=profile, keys=keys)  # matching stores the index rows
    text = mentor_document(
        user=profile.membership.user, profile=profile, institution_name=profile.membership.institution.name, keys=keys
    )
    before = MentorSearchText.objects.filter(mentor=profile).values_list("text", flat=True).first() or ""
    MentorSearchText.objects.bulk_create(  # one upsert; the leading space lets "% word%" find a word start
        [MentorSearchText(mentor=profile, text=text)],
        update_conflicts=True,
        unique_fields=["mentor"],
        update_fields=["text"],
    )
    if text != before:
        add_search_words(search_words(text) - search_words(before))
        prune_search_words(search_words(before) - search_words(text))
        signals.mentor_text_changed.send(sender=MentorProfile, profile=profile)  # after the text is written
    return profile


def mentor_document(*, user: _PersonNames, profile: _MentorWords, institution_name: str, keys: set[str]) -> str:
    """The stored free text of a mentor (with its leading space): their own words, their institution's
    name and the labels of their index keys (shared values only, R8), normalised by ``core.text``.
    Reads no database row itself (the bench builds national data through it)."""
    from mentormemed.core.text import document

    known = catalog()
    labels = sorted(known[k].label for k in keys if k in known)
    text = document(
        user.first_name,
        user.last_name,
        user.preferred_name,
        profile.title,
        profile.academic_rank,
        institution_name,
        profile.bio,
        *labels,
    )
    return f" {text}"


@transaction.atomic
def mentor_profile_save(
    *,
    acting: Actor,
    fields: FieldValues,
    specialties: Iterable[Specialty] | None = None,
    content_areas: Iterable[ContentArea] | None = None,
    languages: Iterable[Language] | None = None,
) -> MentorProfile:
    """Save the mentor's own profile; consent is timestamped; capacity never exceeds 3 (R12).

    ``fields`` holds plain model fields (bio, title, scope, capacity, search_consent, …).
    """
    profile = _own_mentor_profile(acting)
    capacity = fields.get("capacity", profile.capacity)
    if not 1 <= capacity <= MentorProfile.MAX_CAPACITY:
        raise ValidationError(gettext("Choose a capacity between 1 and 3 mentees."))
    if capacity < profile.active_mentee_count:
        raise ValidationError(
            gettext("You mentor %(active_mentee_count)s people now; choose a capacity of at least that many.")
            % {"active_mentee_count": profile.active_mentee_count}
        )
    for name, value in fields.items():
        setattr(profile, name, value)
    if profile.search_consent and profile.search_consent_at is None:
        profile.search_consent_at = timezone.now()
    elif not profile.search_consent:
        profile.search_consent_at = None
    profile.full_clean(exclude=["membership", "photo"])
    profile.save()
    if specialties is not None:
        profile.specialties.set(specialties)
    if content_areas is not None:
        profile.content_areas.set(content_areas)
    if languages is not None:
        profile.languages.set(languages)
    return refresh_mentor(profile)


def check_photo(upload: File[bytes]) -> None:
    """Refuse anything but a real JPEG/PNG/WebP image of at most 2 MB."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(gettext("The photo is larger than 2 MB; please choose a smaller one."))
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationError(gettext("That file is not an image we can read; use a JPEG, PNG or WebP photo.")) from exc
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(gettext("Use a JPEG, PNG or WebP photo."))


@transaction.atomic
def mentor_photo_set(*, acting: Actor, upload: File[bytes] | None) -> MentorProfile:
    """Set (or, with no upload, remove) the acting mentor's photo."""
    profile = _own_mentor_profile(acting)
    if upload is None:
        if profile.photo:
            profile.photo.delete(save=False)
        profile.photo = ""
    else:
        check_photo(upload)
        if profile.photo:
            profile.photo.delete(save=False)
        profile.photo.save(f"mentor-{profile.pk}-{int(timezone.now().timestamp())}.img", upload, save=False)
    profile.save(update_fields=["photo", "updated_at"])
    return profile


@transaction.atomic
def identity_set(
    *,
    acting: Actor,
    dimension: IdentityDimension,
    options: Iterable[IdentityOption],
    write_in: str,
    shared: bool,
) -> None:
    """Replace the person's self-description in one dimension; shared or private applies to all of it (R8)."""
    membership = acting.own_membership("profile.edit")
    options = list(options)
    if any(o.dimension_id != dimension.pk for o in options):
        raise ValidationError(gettext("Choose options of this question only."))
    if not dimension.multiple and len(options) > 1:
        raise ValidationError(gettext("Choose one answer for “%(name)s”.") % {"name": dimension.name})
    if any(o.no_answer for o in options) and len(options) > 1:
        raise ValidationError(gettext("“Prefer not to say” cannot be combined with other answers."))
    IdentityValue.objects.filter(membership=membership, option__dimension=dimension).exclude(
        option__in=options
    ).delete()
    for option in options:
        IdentityValue.objects.update_or_create(
            membership=membership,
            option=option,
            defaults={"shared": shared and not option.no_answer, "write_in": write_in[:200] if option.write_in else ""},
        )


@transaction.atomic
def mentee_profile_save(
    *,
    acting: Actor,
    fields: FieldValues,
    specialty_interests: Iterable[Specialty] | None = None,
    languages: Iterable[Language] | None = None,
) -> MenteeProfile:
    """Save the acting mentee's own profile; ``None`` relations are left as they are."""
    profile = _own_mentee_profile(acting)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    if specialty_interests is not None:
        profile.specialty_interests.set(specialty_interests)
    if languages is not None:
        profile.languages.set(languages)
    return refresh_mentee(profile)


@transaction.atomic
def mentee_needs_set(*, acting: Actor, areas: list[ContentArea]) -> None:
    """Store the acting mentee's ranked areas of need (first = most important)."""
    profile = _own_mentee_profile(acting)
    unique = list(dict.fromkeys(areas))
    if len(unique) > MAX_NEEDS:
        raise ValidationError(
            gettext("Choose at most %(MAX_NEEDS)s areas of need; rank the most important first.")
            % {"MAX_NEEDS": MAX_NEEDS}
        )
    profile.needs.all().delete()
    MenteeNeed.objects.bulk_create(
        [MenteeNeed(profile=profile, content_area=a, rank=i) for i, a in enumerate(unique, start=1)]
    )
    refresh_mentee(profile)


@transaction.atomic
def mentee_affinities_set(*, acting: Actor, weights: dict[str, int]) -> None:
    """How much each shared characteristic matters to the acting mentee (0–3); 0 keeps the row so the step
    counts as answered."""
    profile = _own_mentee_profile(acting)
    for dimension, weight in weights.items():
        if not 0 <= weight <= 3:
            raise ValidationError(gettext("Weights go from 0 (not at all) to 3 (a lot)."))
        AffinityPreference.objects.update_or_create(profile=profile, dimension=dimension, defaults={"weight": weight})
    refresh_mentee(profile)


def refresh_mentee(profile: MenteeProfile) -> MenteeProfile:
    complete = mentee_completeness(profile).complete
    if complete != profile.is_complete:
        MenteeProfile.objects.filter(pk=profile.pk).update(is_complete=complete)
        profile.is_complete = complete
    return profile
