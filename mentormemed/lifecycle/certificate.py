"""The certificate of destruction (R40): a PDF stating what was removed, what was kept and when."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from mentormemed.lifecycle.models import CloseOut


def certificate_pdf(closeout: CloseOut) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "lifecycle/pdf/certificate.html",
        {
            "c": closeout,
            "seller": settings.INVOICE,
            "removed": closeout.summary.get("removed", []),
            "kept": closeout.summary.get("kept", []),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
