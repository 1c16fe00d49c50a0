"""Invoice PDFs for subscription terms (R3), rendered with WeasyPrint from our own template."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone


def invoice_context(subscription) -> dict:
    institution = subscription.institution
    issue = getattr(subscription, "issue", None)
    return {
        "s": subscription,
        "institution": institution,
        "issued_on": timezone.localdate(issue.issued_at) if issue else subscription.created_at.date(),
        "vendor": getattr(settings, "INVOICE_VENDOR", "MentorMeMed"),
        "state": institution.state.name if institution.state_id else "",
    }


def invoice_pdf(subscription) -> bytes:
    from weasyprint import HTML

    html = render_to_string("outcomes/pdf/invoice.html", invoice_context(subscription))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
