"""Per-deployment CME settings (R22), read from Django settings with sensible defaults.

Set ``CME_PROVIDER_NAME`` (and, if the provider words it differently, the
statements) in the environment; ``settings.py`` reads them with django-environ.
The statements may use ``{provider}`` and ``{credits}`` placeholders.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy

from mentormemed.core.conf import ProductSettings, product

DEFAULT_PROVIDER = gettext_lazy("MentorMeMed Continuing Medical Education")
DEFAULT_DESIGNATION = (
    "{provider} designates this enduring material for a maximum of {credits} AMA PRA Category 1 Credit(s)™. "
    "Physicians should claim only the credit commensurate with the extent of their participation in the activity."
)
DEFAULT_ACCREDITATION = (
    "{provider} is accredited by the Accreditation Council for Continuing Medical Education (ACCME) "
    "to provide continuing medical education for physicians."
)


def provider_name() -> str:
    return product.cme_provider_name or DEFAULT_PROVIDER


def designation_statement(max_credits: Decimal) -> str:
    template = product.cme_designation_statement or DEFAULT_DESIGNATION
    return template.format(provider=provider_name(), credits=format_credits(max_credits))


def accreditation_statement() -> str:
    template = product.cme_accreditation_statement or DEFAULT_ACCREDITATION
    return template.format(provider=provider_name())


def provider_address() -> list[str]:
    text = product.cme_provider_address or ""
    return [line.strip() for line in text.replace("\n", "|").split("|") if line.strip()]


def signatory() -> tuple[str, str]:
    """Who signs certificates for the provider: (name, title); empty name when not configured."""
    return product.cme_signatory_name or "", product.cme_signatory_title or ""


def max_resource_bytes() -> int:
    return product.training_max_resource_bytes or ProductSettings.training_max_resource_bytes.default


def format_credits(value: Decimal) -> str:
    """0.5 → "0.50", 1 → "1.00": credits are always shown with two decimals."""
    return f"{Decimal(value):.2f}"
