"""Invoice PDFs for subscription terms (R3), rendered with WeasyPrint from our own template.

An invoice a university finance office pays: the seller's legal name, address and tax id, the
customer's billing address, the invoice's own date (when staff issued it, else when the term
was created — never the day it is downloaded), terms and due date, "Total due" on an unpaid
invoice and "Paid" with a zero balance on a paid one, and where and how to pay.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from mentormemed.core.clock import platform_today


def _lines(text: str) -> list[str]:
    """Settings hold multi-line blocks with "|" between lines (one environment variable each)."""
    return [part.strip() for part in text.replace("\n", "|").split("|") if part.strip()]


def invoice_date(subscription) -> dt.date:
    issue = getattr(subscription, "issue", None)
    return platform_today(issue.issued_at) if issue else subscription.invoice_date


def invoice_context(subscription) -> dict:
    institution = subscription.institution
    seller = settings.INVOICE
    paid = subscription.paid_on is not None
    return {
        "s": subscription,
        "institution": institution,
        "issued_on": invoice_date(subscription),
        "seller": {
            "name": seller["SELLER_NAME"],
            "address": _lines(seller["SELLER_ADDRESS"]),
            "email": seller["SELLER_EMAIL"],
            "phone": seller["SELLER_PHONE"],
            "tax_id": seller["SELLER_TAX_ID"],
        },
        "remit_to": _lines(seller["REMIT_TO"]),
        "payment_instructions": _lines(seller["PAYMENT_INSTRUCTIONS"]),
        "terms": seller["TERMS"],
        "bill_to_address": _lines(institution.billing_address),
        "state": institution.state.name if institution.state_id else "",
        "paid": paid,
        "amount_paid": subscription.fee if paid else Decimal("0"),
        "balance_due": Decimal("0") if paid else subscription.fee,
    }


def invoice_pdf(subscription) -> bytes:
    from mentormemed.core.pdf import render_pdf

    return render_pdf("outcomes/pdf/invoice.html", invoice_context(subscription))
