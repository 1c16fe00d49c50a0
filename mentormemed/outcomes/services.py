"""Every write of outcomes: thresholds (R24), research requests (R25), invoices (R3). All audited."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.clock import platform_today
from mentormemed.notifications.services import day, notify
from mentormemed.outcomes import agreements, research
from mentormemed.outcomes.models import DataUseAgreement, InvoiceIssue, ParticipationThreshold, ResearchRequest

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from mentormemed.institutions.models import Institution, Membership, Subscription

IRB_TYPES = {"application/pdf": ".pdf"}
IRB_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def threshold_save(*, acting: Actor, institution: Institution, **values: object) -> ParticipationThreshold:
    threshold, _created = ParticipationThreshold.objects.update_or_create(institution=institution, defaults=values)
    audit(
        acting=acting,
        action="reward.threshold",
        obj=threshold,
        institution=institution,
        actor_role="admin",
        detail={k: str(v) for k, v in values.items()},
    )
    return threshold


def check_irb_document(upload: UploadedFile[bytes]) -> None:
    """A PDF no larger than 10 MB, checked by its first bytes, not only its name."""
    assert upload.size is not None  # Django measures every uploaded file
    if upload.size > IRB_MAX_BYTES:
        raise ValidationError(gettext("The approval document is larger than 10 MB; please upload a smaller PDF."))
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-" or upload.content_type not in IRB_TYPES:
        raise ValidationError(gettext("Upload the IRB approval or exemption letter as a PDF file."))


@transaction.atomic
def research_submit(
    *,
    acting: Actor,
    membership: Membership,
    title: str,
    question: str,
    variables: list[str],
    irb_status: str,
    irb_number: str,
    irb_document: UploadedFile[bytes],
) -> ResearchRequest:
    """R25: a mentor asks for data; staff decide. Unknown variables are refused."""
    unknown = set(variables) - set(research.VARIABLES)
    if unknown or not variables:
        raise ValidationError(gettext("Choose at least one variable from the list."))
    check_irb_document(irb_document)
    request = ResearchRequest(
        requester=membership,
        title=title,
        question=question,
        variables=variables,
        irb_status=irb_status,
        irb_number=irb_number,
        irb_document_name=(irb_document.name or "")[:200],
    )
    request.irb_document.save(f"irb-{timezone.now():%Y%m%d%H%M%S}.pdf", irb_document, save=False)
    request.save()
    audit(
        acting=acting,
        action="research.submit",
        obj=request,
        institution=membership.institution,
        actor_role="mentor",
        detail={"variables": variables, "irb_status": irb_status},
    )
    return request


@transaction.atomic
def research_decide(
    *,
    acting: Actor,
    request: ResearchRequest,
    approve: bool,
    note: str,
    recipients: str = "",
    destroy_by: dt.date | None = None,
) -> ResearchRequest:
    """Staff approve or decline with a note; a decision is final (a new question is a new request).
    Approving writes the data use agreement (recipients, destruction date) the export is released under."""
    user = acting.person
    if not note.strip():
        raise ValidationError(gettext("Write a note explaining the decision; the requester reads it."))
    if approve and request.irb_status == ResearchRequest.Irb.PENDING:
        raise ValidationError(gettext("The IRB decision is still pending: approve only with an approval or exemption."))
    if approve:
        _check_agreement_terms(recipients, destroy_by)
    state = ResearchRequest.State.APPROVED if approve else ResearchRequest.State.DECLINED
    updated = ResearchRequest.objects.filter(pk=request.pk, state=ResearchRequest.State.SUBMITTED).update(
        state=state,
        decided_at=timezone.now(),
        decided_by=user,
        decision_note=note.strip(),
        export_salt=research.new_salt() if approve else "",
    )
    if not updated:
        raise ValidationError(gettext("This request has already been decided."))
    request.refresh_from_db()
    if approve:
        assert destroy_by is not None  # _check_agreement_terms refused a missing date
        DataUseAgreement.objects.create(
            request=request,
            purpose=request.question,
            variables=list(request.variables),
            recipients=recipients.strip(),
            destroy_by=destroy_by,
            terms_version=agreements.TERMS_VERSION,
            created_by=user,
        )
    audit(
        acting=acting,
        action=f"research.{'approve' if approve else 'decline'}",
        obj=request,
        institution=request.requester.institution,
        actor_role="staff",
        detail={"note_length": len(note), **({"destroy_by": destroy_by.isoformat()} if approve and destroy_by else {})},
    )
    notify(
        user=request.requester.user,
        kind="research",
        title=_("Your research request was approved") if approve else _("Your research request was declined"),
        body=format_lazy(
            _("Read and accept the data use agreement to download the de-identified export. {note}"),
            note=note.strip()[:500],
        )
        if approve
        else note.strip()[:500],
        url=reverse("outcomes:research_agreement", args=[request.pk]) if approve else reverse("outcomes:research"),
        action=_("Read the agreement") if approve else _("See your request"),
    )
    return request


def _check_agreement_terms(recipients: str, destroy_by: dt.date | None) -> None:
    today = platform_today()
    if not recipients.strip():
        raise ValidationError(gettext("Name who may see the data: the data use agreement lists them."))
    if destroy_by is None or destroy_by <= today:
        raise ValidationError(gettext("Set a destruction date after today."))
    if destroy_by > today + agreements.LONGEST:
        raise ValidationError(gettext("The destruction date can be at most five years from today."))


def _own_agreement(acting: Actor, agreement: DataUseAgreement) -> DataUseAgreement:
    """The agreement, locked, if ``acting`` is its requester (nobody signs for someone else)."""
    locked = DataUseAgreement.objects.select_for_update().select_related("request__requester").get(pk=agreement.pk)
    if acting.membership is None or locked.request.requester_id != acting.membership.pk:
        raise PermissionDenied
    return locked


@transaction.atomic
def agreement_accept(*, acting: Actor, agreement: DataUseAgreement, full_name: str) -> DataUseAgreement:
    """The requester accepts the agreement's terms by typing their name; only then is the export released."""
    agreement = _own_agreement(acting, agreement)
    if agreement.accepted_at is not None:
        raise ValidationError(gettext("You have already accepted this agreement."))
    if platform_today() > agreement.destroy_by:
        raise ValidationError(gettext("This agreement's destruction date has passed; ask staff for a new one."))
    if not full_name.strip():
        raise ValidationError(gettext("Type your full name to sign the agreement."))
    agreement.accepted_at = timezone.now()
    agreement.accepted_by = acting.person
    agreement.accepted_name = full_name.strip()[:200]
    agreement.save(update_fields=["accepted_at", "accepted_by", "accepted_name"])
    _audit_requester(
        acting,
        agreement,
        "research.agreement_accept",
        terms_version=agreement.terms_version,
        destroy_by=agreement.destroy_by.isoformat(),
    )
    return agreement


@transaction.atomic
def agreement_attest(
    *, acting: Actor, agreement: DataUseAgreement, destroyed_on: dt.date, note: str = ""
) -> DataUseAgreement:
    """The requester confirms the data and every copy are destroyed; no export is produced after that."""
    agreement = _own_agreement(acting, agreement)
    if agreement.accepted_at is None:
        raise ValidationError(gettext("Nothing was released under this agreement, so there is nothing to destroy."))
    if agreement.destroyed_attested_at is not None:
        raise ValidationError(gettext("You have already confirmed the destruction."))
    if destroyed_on > platform_today() or destroyed_on < platform_today(agreement.accepted_at):
        raise ValidationError(gettext("The destruction date must be between the acceptance and today."))
    agreement.destroyed_on = destroyed_on
    agreement.destroyed_attested_at = timezone.now()
    agreement.destruction_note = note.strip()[:2000]
    agreement.save(update_fields=["destroyed_on", "destroyed_attested_at", "destruction_note"])
    _audit_requester(acting, agreement, "research.agreement_destroyed", destroyed_on=destroyed_on.isoformat())
    return agreement


def _audit_requester(acting: Actor, agreement: DataUseAgreement, action: str, **detail: object) -> None:
    """The requester's own step on their agreement, audited against the request and its institution."""
    audit(
        acting=acting,
        action=action,
        obj=agreement.request,
        institution=agreement.request.requester.institution,
        actor_role="mentor",
        detail=detail,
    )


def agreement_job(*, now: dt.datetime) -> int:
    """Periodic job: remind the requester before the destruction date, and once when the confirmation is overdue."""
    today = platform_today(now)
    live = DataUseAgreement.objects.filter(accepted_at__isnull=False, destroyed_attested_at__isnull=True)
    sent = 0
    horizon = today + dt.timedelta(days=agreements.REMIND_DAYS_BEFORE)
    soon = live.filter(reminded_at__isnull=True, destroy_by__lte=horizon, destroy_by__gte=today)
    for agreement in soon.select_related("request__requester__user"):
        title = format_lazy(_("Destroy the research data by {day}"), day=day(agreement.destroy_by, "DATE_FORMAT"))
        sent += _remind(agreement, "reminded_at", now, title)
    for agreement in live.filter(overdue_at__isnull=True, destroy_by__lt=today).select_related(
        "request__requester__user"
    ):
        sent += _remind(agreement, "overdue_at", now, _("Confirm that the research data was destroyed"))
    return sent


@transaction.atomic
def _remind(agreement: DataUseAgreement, field: str, now: dt.datetime, title: str | Promise) -> int:
    if not DataUseAgreement.objects.filter(pk=agreement.pk, **{f"{field}__isnull": True}).update(**{field: now}):
        return 0  # another sweep sent it
    notify(
        user=agreement.request.requester.user,
        kind="research",
        title=title,
        body=format_lazy(
            _(
                "Under the data use agreement for “{title}”, the data and every copy must be destroyed by {day}. "
                "Confirm it on the agreement page once done."
            ),
            title=agreement.request.title,
            day=day(agreement.destroy_by, "DATE_FORMAT"),
        ),
        url=reverse("outcomes:research_agreement", args=[agreement.request_id]),
        action=_("Open the agreement"),
    )
    return 1


@transaction.atomic
def research_export(*, acting: Actor, request: ResearchRequest) -> bytes:
    """The de-identified archive of an approved request, released only under an accepted, current data use
    agreement, to its requester or to staff (audited each time it is produced)."""
    agreement = DataUseAgreement.objects.filter(request=request).first()
    if request.state != ResearchRequest.State.APPROVED or agreement is None:
        raise ValidationError(gettext("Only an approved request has an export."))
    if not agreement.releasable:
        raise ValidationError(
            gettext("The export is released only while its data use agreement is accepted and in force.")
        )
    is_staff = acting.role == "staff"
    if not is_staff and (acting.membership is None or request.requester_id != acting.membership.pk):
        raise PermissionDenied
    content, release = research.export_archive(request=request)
    ResearchRequest.objects.filter(pk=request.pk).update(exports=F("exports") + 1)
    audit(
        acting=acting,
        action="research.export",
        obj=request,
        institution=request.requester.institution,
        actor_role="staff" if is_staff else "mentor",
        detail={"rows": len(release.rows), "dropped": release.dropped, "coarsened": sorted(release.coarsened)},
    )
    return content


@transaction.atomic
def invoice_issue(*, acting: Actor, subscription: Subscription) -> InvoiceIssue:
    """R3: staff issue the invoice of a term (once); it can then be downloaded by the institution."""
    user = acting.person
    issue, created = InvoiceIssue.objects.get_or_create(subscription=subscription, defaults={"issued_by": user})
    if created:
        audit(
            acting=acting,
            action="invoice.issue",
            obj=subscription,
            institution=subscription.institution,
            actor_role="staff",
            detail={"invoice": subscription.invoice_number, "fee": str(subscription.fee)},
        )
    return issue
