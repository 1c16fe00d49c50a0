"""The certificate of destruction (R40): a PDF stating what was removed, what was kept and when.

It is written in the language of the staff member who downloads it (the active language of the request),
which is also the document's ``<html lang>`` and so the PDF's ``/Lang``; the stored summary holds message
ids and facts, worded here (``closeout.removed_rows``, ``closeout.kept_rows``).
"""

from __future__ import annotations

from django.conf import settings

from mentormemed.core.pdf import render_pdf
from mentormemed.lifecycle.closeout import kept_rows, removed_rows
from mentormemed.lifecycle.models import CloseOut


def certificate_pdf(closeout: CloseOut) -> bytes:
    return render_pdf(
        "lifecycle/pdf/certificate.html",
        {
            "c": closeout,
            "seller": settings.INVOICE,
            "removed": removed_rows(closeout.summary.get("removed", [])),
            "kept": kept_rows(closeout.summary.get("kept", [])),
        },
    )
