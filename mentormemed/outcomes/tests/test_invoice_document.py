"""R3: an invoice a university finance office pays — its own date, the seller and remit-to from
settings, the customer's billing address, and "Paid" (balance $0.00) versus "Total due"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from mentormemed.institutions.models import Subscription
from mentormemed.outcomes.models import InvoiceIssue
from mentormemed.outcomes.tests.test_reward_research_invoices import pdf_text

pytestmark = pytest.mark.django_db


def _billed(cast) -> Subscription:
    inst = cast.inst_a
    inst.billing_contact = "Office of Accounts Payable"
    inst.billing_address = "1200 Alpha Drive, Suite 300\nSpringfield, IL 62701"
    inst.billing_email = "ap@alpha.edu"
    inst.save()
    sub = inst.subscriptions.first()
    sub.invoice_date = dt.date(2025, 12, 1)
    sub.invoice_due = dt.date(2026, 1, 15)
    sub.paid_on = None
    sub.save()
    return sub


def _download(cast, sub) -> str:
    return pdf_text(cast.client_for(cast.admin).get(reverse("outcomes:invoice_pdf", args=[sub.pk])).content)


def test_r3_invoice_is_dated_by_the_invoice_not_the_download(cast):
    sub = _billed(cast)
    with time_machine.travel(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)):
        text = _download(cast, sub)
    assert "Invoice date December 1, 2025" in text
    assert "June 30, 2026" not in text
    InvoiceIssue.objects.create(subscription=sub, issued_at=dt.datetime(2025, 12, 3, 15, tzinfo=dt.UTC))
    with time_machine.travel(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)):
        assert "Invoice date December 3, 2025" in _download(cast, Subscription.objects.get(pk=sub.pk))


def test_r3_unpaid_invoice_says_total_due_with_where_and_how_to_pay(cast, settings):
    settings.INVOICE = {
        **settings.INVOICE,
        "SELLER_NAME": "Mentor Network LLC",
        "SELLER_ADDRESS": "9 Harbor Row|Portland, ME 04101",
        "SELLER_TAX_ID": "EIN 12-3456789",
        "REMIT_TO": "Mentor Network LLC|Lockbox 77|Portland, ME 04112",
        "PAYMENT_INSTRUCTIONS": "ACH to Harbor Bank, routing 011000015, account 4455667788",
    }
    text = _download(cast, _billed(cast))
    for expected in [
        "Mentor Network LLC",
        "9 Harbor Row Portland, ME 04101",
        "EIN 12-3456789",
        "Bill to",
        cast.inst_a.name,
        "Attn: Office of Accounts Payable",
        "1200 Alpha Drive, Suite 300 Springfield, IL 62701",
        "ap@alpha.edu",
        "Remit to",
        "Lockbox 77",
        "routing 011000015, account 4455667788",
        "Total due by Jan 15, 2026 $24,000.00",
        "Status Open",
    ]:
        assert expected.lower() in text.lower(), expected  # headings are set in capitals
    assert "PAID" not in text and "Balance due" not in text


def test_r3_paid_invoice_says_paid_and_owes_nothing(cast):
    sub = _billed(cast)
    sub.paid_on = dt.date(2026, 1, 9)
    sub.save()
    text = _download(cast, sub)
    assert "PAID" in text
    assert "Paid on January 9, 2026 −$24,000.00" in text
    assert "Balance due $0.00" in text
    assert "Total due" not in text
    assert "remit to" not in text.lower()  # nothing to remit


def test_r3_staff_keep_the_billing_address(cast):
    response = cast.client_for(cast.staff).get(reverse("staff:institution_edit", args=[cast.inst_a.pk]))
    html = response.content.decode()
    for label in ("Billing contact", "Billing address", "Billing e-mail"):
        assert label in html
