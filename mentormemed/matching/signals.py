"""Forget a viewer's cached facts (``matching.viewer``) whenever a row they come from changes."""

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


def connect() -> None:
    from mentormemed.accounts.models import MenteeEligibility
    from mentormemed.institutions.models import Membership
    from mentormemed.profiles.models import AffinityPreference, IdentityValue, MenteeNeed, MenteeProfile

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
