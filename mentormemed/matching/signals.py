"""Forget a viewer's cached facts (``matching.viewer``) whenever a row they come from changes; keep the
search index (``matching.index``) from the signals of profiles and institutions, which sit below
matching and so tell it rather than call it (docs/architecture.md, "Layers")."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save


def _membership_of_profile(profile_id: int | None) -> int | None:
    from mentormemed.profiles.models import MenteeProfile

    if not profile_id:
        return None
    return MenteeProfile.objects.filter(pk=profile_id).values_list("membership_id", flat=True).first()


def _by_membership(sender, instance, **kwargs) -> None:
    from mentormemed.matching.viewer import forget

    forget(instance.membership_id)


def _by_membership_pk(sender, instance, **kwargs) -> None:
    from mentormemed.matching.viewer import forget

    forget(instance.pk)


def _by_profile(sender, instance, **kwargs) -> None:
    from mentormemed.matching.viewer import forget

    forget(_membership_of_profile(instance.profile_id))


def _by_m2m(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    from mentormemed.matching.viewer import forget
    from mentormemed.profiles.models import MenteeProfile

    if not action.startswith("post_"):
        return
    if not reverse:
        forget(instance.membership_id)
    elif pk_set:
        forget(*MenteeProfile.objects.filter(pk__in=pk_set).values_list("membership_id", flat=True))


def _store_facets(sender, profile, keys: set[str], **kwargs) -> None:
    """A mentor's profile was refreshed: write its facet rows (and drop the cached counts)."""
    from mentormemed.matching.index import reindex_mentor

    reindex_mentor(profile, keys)


def _counts_stale(sender, **kwargs) -> None:
    """A mentor may appear or disappear, or a label changed: cached facet counts are stale."""
    from mentormemed.matching.index import bump_index_version

    bump_index_version()


def connect() -> None:
    from mentormemed.accounts.models import MenteeEligibility
    from mentormemed.institutions import signals as institutions
    from mentormemed.institutions.models import Membership
    from mentormemed.profiles import signals as profiles
    from mentormemed.profiles.models import (
        AffinityPreference,
        IdentityValue,
        MenteeNeed,
        MenteeProfile,
        MentorSearchText,
    )

    profiles.mentor_refreshed.connect(_store_facets, dispatch_uid="matching-index-facets")
    profiles.mentor_visibility_changed.connect(_counts_stale, dispatch_uid="matching-index-visibility")
    profiles.taxonomy_changed.connect(_counts_stale, dispatch_uid="matching-index-taxonomy")
    institutions.subscription_changed.connect(_counts_stale, dispatch_uid="matching-index-subscription")
    # A mentor's text rewritten or gone (an edit, an erasure, a deleted profile): the cached counts,
    # typo corrections and free-text matches were read with it.
    profiles.mentor_text_changed.connect(_counts_stale, dispatch_uid="matching-index-text-changed")
    post_delete.connect(_counts_stale, sender=MentorSearchText, dispatch_uid="matching-index-text-deleted")

    for model, handler in (
        (MenteeProfile, _by_membership),
        (IdentityValue, _by_membership),
        (MenteeEligibility, _by_membership),
        (MenteeNeed, _by_profile),
        (AffinityPreference, _by_profile),
        (Membership, _by_membership_pk),
    ):
        post_save.connect(handler, sender=model, dispatch_uid=f"viewer-facts-save-{model.__name__}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"viewer-facts-delete-{model.__name__}")
    for through in (MenteeProfile.specialty_interests.through, MenteeProfile.languages.through):
        m2m_changed.connect(_by_m2m, sender=through, dispatch_uid=f"viewer-facts-m2m-{through.__name__}")
