"""Certificates and transcripts as PDF (WeasyPrint renders our own HTML templates; no network)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from mentormemed.core.clock import platform_today
from mentormemed.core.pdf import render_pdf
from mentormemed.training import conf, selectors
from mentormemed.training.models import CmeClaim


def verification_url(claim: CmeClaim) -> str:
    """The public address anyone can open to confirm a certificate."""
    return settings.SITE_URL + reverse("training:verify_number", kwargs={"number": claim.certificate_number})


def certificate_context(claim: CmeClaim) -> dict:
    version = claim.version
    return {
        "claim": claim,
        "name": claim.membership.user.get_full_name() or claim.membership.user.display_name,
        "provider": conf.provider_name(),
        "title": version.module.title,
        "format": "Enduring material" if version.is_enduring_material else "Internet activity",
        "credits": conf.format_credits(claim.credits),
        "designation": conf.designation_statement(version.cme_max_credits),
        "accreditation": conf.accreditation_statement(),
        "verify_url": verification_url(claim),
        "issued_on": platform_today(claim.claimed_at),
        "provider_address": conf.provider_address(),
        "signatory": conf.signatory(),
    }


def _render(template: str, context: dict) -> bytes:
    return render_pdf(template, context)


def certificate_pdf(claim: CmeClaim) -> bytes:
    return _render("training/pdf/certificate.html", certificate_context(claim))


def transcript_pdf(*, membership) -> bytes:
    claims = selectors.transcript(membership=membership)
    return _render(
        "training/pdf/transcript.html",
        {
            "name": membership.user.get_full_name() or membership.user.display_name,
            "institution": membership.institution,
            "provider": conf.provider_name(),
            "claims": [(c, verification_url(c)) for c in claims],
            "total": conf.format_credits(selectors.transcript_total(claims)),
            "printed": platform_today(),
        },
    )
