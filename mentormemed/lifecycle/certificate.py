"""The certificate of destruction (R40): a PDF stating what was removed, what was kept and when."""

from __future__ import annotations

from django.conf import settings

from mentormemed.core.pdf import render_pdf
from mentormemed.lifecycle.models import CloseOut


def certificate_pdf(closeout: CloseOut) -> bytes:
    return render_pdf(
        "lifecycle/pdf/certificate.html",
        {
            "c": closeout,
            "seller": settings.INVOICE,
            "removed": closeout.summary.get("removed", []),
            "kept": closeout.summary.get("kept", []),
        },
    )
