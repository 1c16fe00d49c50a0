"""R20: when a mentee graduates (membership ended as "graduated"), invite them to become a mentor
(after commit). Someone who left, or was removed, is not invited."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from mentormemed.institutions.models import Membership


@receiver(post_save, sender=Membership, dispatch_uid="evaluations.graduate_offer")
def membership_saved(sender, instance: Membership, created: bool, **kwargs) -> None:
    if instance.role != "mentee" or instance.status != "ended" or instance.end_reason != "graduated":
        return
    if kwargs.get("raw"):
        return
    pk = instance.pk

    def offer() -> None:
        from mentormemed.evaluations.services import offer_mentorship_to_graduate

        membership = Membership.objects.select_related("user", "institution").filter(pk=pk).first()
        if membership is not None:
            offer_mentorship_to_graduate(membership=membership)

    transaction.on_commit(offer, robust=True)
