"""Every write of outcomes: thresholds (R24), research requests (R25), invoices (R3). All audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.outcomes import research
from mentormemed.outcomes.models import InvoiceIssue, ParticipationThreshold, ResearchRequest

IRB_TYPES = {"application/pdf": ".pdf"}
IRB_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def threshold_save(*, acting: Actor, institution, **values) -> ParticipationThreshold:
    threshold, _ = ParticipationThreshold.objects.update_or_create(institution=institution, defaults=values)
    audit(
        acting=acting,
        action="reward.threshold",
        obj=threshold,
        institution=institution,
        actor_role="admin",
        detail={k: str(v) for k, v in values.items()},
    )
    return threshold


def check_irb_document(upload) -> None:
    """A PDF no larger than 10 MB, checked by its first bytes, not only its name."""
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
    membership,
    title: str,
    question: str,
    variables: list[str],
    irb_status: str,
    irb_number: str,
    irb_document,
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
        irb_document_name=irb_document.name[:200],
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
def research_decide(*, acting: Actor, request: ResearchRequest, approve: bool, note: str) -> ResearchRequest:
    """Staff approve or decline with a note; a decision is final (a new question is a new request)."""
    user = acting.user
    if not note.strip():
        raise ValidationError(gettext("Write a note explaining the decision; the requester reads it."))
    if approve and request.irb_status == ResearchRequest.Irb.PENDING:
        raise ValidationError(gettext("The IRB decision is still pending: approve only with an approval or exemption."))
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
    audit(
        acting=acting,
        action=f"research.{'approve' if approve else 'decline'}",
        obj=request,
        institution=request.requester.institution,
        actor_role="staff",
        detail={"note_length": len(note)},
    )
    from mentormemed.notifications.services import notify

    notify(
        user=request.requester.user,
        kind="research",
        title=f"Your research request was {state.label.lower()}",
        body=note.strip()[:500],
        url="/outcomes/research/",
        action="See your request",
    )
    return request


@transaction.atomic
def research_export(*, acting: Actor, request: ResearchRequest) -> bytes:
    """The de-identified archive of an approved request (audited each time it is produced)."""
    if request.state != ResearchRequest.State.APPROVED:
        raise ValidationError(gettext("Only an approved request has an export."))
    content, release = research.export_archive(request=request)
    ResearchRequest.objects.filter(pk=request.pk).update(exports=request.exports + 1)
    audit(
        acting=acting,
        action="research.export",
        obj=request,
        institution=request.requester.institution,
        actor_role="staff",
        detail={"rows": len(release.rows), "dropped": release.dropped, "coarsened": sorted(release.coarsened)},
    )
    return content


@transaction.atomic
def invoice_issue(*, acting: Actor, subscription) -> InvoiceIssue:
    """R3: staff issue the invoice of a term (once); it can then be downloaded by the institution."""
    user = acting.user
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
