"""Writes of the data lifecycle that are not exports or close-outs: retention schedules and
people's erasure requests. Keyword-only, atomic, audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.types import Text
from mentormemed.lifecycle import erasure
from mentormemed.lifecycle.models import ErasureRequest, RetentionSchedule

if TYPE_CHECKING:
    from mentormemed.institutions.models import Institution


@transaction.atomic
def retention_save(
    *,
    acting: Actor,
    institution: Institution,
    audit_years: int,
    inactive_account_years: int,
    closeout_grace_days: int,
) -> RetentionSchedule:
    user = acting.person
    schedule, _created = RetentionSchedule.objects.update_or_create(
        institution=institution,
        defaults={
            "audit_years": audit_years,
            "inactive_account_years": inactive_account_years,
            "closeout_grace_days": closeout_grace_days,
            "updated_by": user,
        },
    )
    audit(
        acting=acting,
        action="lifecycle.retention",
        obj=schedule,
        institution=institution,
        actor_role="staff",
        detail={"audit_years": audit_years, "inactive_years": inactive_account_years, "grace": closeout_grace_days},
    )
    return schedule


def notify_staff(*, title: Text, url: str, body: Text = "") -> None:
    """``title`` and ``body``: translations (gettext_lazy / format_lazy), read in each staff member's language."""
    from django.contrib.auth import get_user_model

    from mentormemed.notifications.services import OPEN, notify

    for staff in get_user_model().objects.filter(is_staff=True, is_active=True):
        notify(user=staff, kind="data", title=title, body=body, url=url, action=OPEN)


@transaction.atomic
def erasure_request(*, acting: Actor, reason: str) -> ErasureRequest:
    """A person asks to be erased; staff handle it (a case under review may hold it back)."""
    user = acting.person
    assert user is not None  # a signed-in person asks (lifecycle.mine)
    if user.is_staff:
        raise ValidationError(gettext("Staff accounts are closed by the platform's administrators, not here."))
    if ErasureRequest.objects.filter(person=user, state=ErasureRequest.State.SUBMITTED).exists():
        raise ValidationError(gettext("You have already asked; we will write to you when it is done."))
    item = ErasureRequest.objects.create(person=user, reason=reason.strip(), contact_email=user.email)
    audit(acting=acting, action="lifecycle.erasure.request", obj=item)
    notify_staff(title=_("A person asked to be erased"), url=f"/staff/data/erasure/{item.pk}/")
    return item


@transaction.atomic
def erasure_withdraw(*, acting: Actor, item: ErasureRequest) -> None:
    user = acting.person
    if not ErasureRequest.objects.filter(pk=item.pk, person=user, state=ErasureRequest.State.SUBMITTED).update(
        state=ErasureRequest.State.WITHDRAWN, decided_at=timezone.now()
    ):
        raise ValidationError(gettext("This request is no longer open."))
    audit(acting=acting, action="lifecycle.erasure.withdraw", obj=item)


@transaction.atomic
def erasure_decide(*, acting: Actor, item: ErasureRequest, carry_out: bool, note: str) -> ErasureRequest:
    """Staff carry out the erasure (erasure.erase_person) or decline it with a reason the person reads."""
    user = acting.user
    if not carry_out and not note.strip():
        raise ValidationError(gettext("Say why the request is declined; the person reads it."))
    state = ErasureRequest.State.DONE if carry_out else ErasureRequest.State.DECLINED
    if not ErasureRequest.objects.filter(pk=item.pk, state=ErasureRequest.State.SUBMITTED).update(
        state=state, decided_at=timezone.now(), decided_by=user, decision_note=note.strip()
    ):
        raise ValidationError(gettext("This request has already been handled."))
    item.refresh_from_db()
    person = item.person
    language = person.language  # read before erasure: the e-mail is in the language they used
    from mentormemed.notifications.emails import queue_email

    if carry_out:
        counts = erasure.erase_person(person)
        item.summary = sorted([label, n] for label, n in counts.items() if n)
        item.save(update_fields=["summary"])
    audit(
        acting=acting,
        action=f"lifecycle.erasure.{'done' if carry_out else 'decline'}",
        obj=item,
        actor_role="staff",
        detail={"removed": dict(item.summary)} if carry_out else {},
    )
    queue_email(
        to=[item.contact_email],
        template_prefix="lifecycle/email/erasure_decided",
        context={"done": carry_out, "note": item.decision_note, "summary": item.summary},
        language=language,
    )
    return item
