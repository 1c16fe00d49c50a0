"""R20: when a mentee's membership ends, invite them to become a mentor (after commit)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from mentormemed.institutions.models import Membership


@receiver(post_save, sender=Membership, dispatch_uid="evaluations.graduate_offer")
def membership_saved(sender, instance: Membership, created: bool, **kwargs) -> None:
    # R20: only graduates in good standing (not those who left, were removed or had their
    # eligibility rejected) are invited to mentor.
    if instance.role != "mentee" or instance.status != "ended" or kwargs.get("raw"):
        return
    if not instance.ended_in_good_standing:
        return
    pk = instance.pk

    def offer() -> None:
        from mentormemed.evaluations.services import offer_mentorship_to_graduate

        membership = Membership.objects.select_related("user", "institution").filter(pk=pk).first()
        if membership is not None:
            offer_mentorship_to_graduate(membership=membership)

    transaction.on_commit(offer, robust=True)
