"""Every PDF the product hands out, rendered one way: tagged PDF/UA-1 (WCAG 2.1 AA covers PDFs).

WeasyPrint's ``pdf/ua-1`` variant writes the structure tree (headings, paragraphs, tables, lists in
reading order), marks the document as tagged, sets ``DisplayDocTitle`` and the PDF/UA identification in
the XMP metadata. The document language and title come from the template's ``<html lang>`` and
``<title>``, which every PDF template carries.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

PDF_VARIANT = "pdf/ua-1"

# WeasyPrint reports every layout step at INFO; that is noise in the server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The template rendered to a tagged PDF/UA-1 document."""
    from weasyprint import HTML  # imported lazily: it loads pango, which page views never need

    html = render_to_string(template, context)
    document: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=PDF_VARIANT)
    return document
