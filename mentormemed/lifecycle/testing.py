"""Builders for tests (this app's, the permission matrix, e2e)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from mentormemed.core.clock import platform_today
from mentormemed.institutions.models import Subscription
from mentormemed.lifecycle.models import CloseOut, DataExport, ErasureRequest


def lapse(institution, *, days_ago: int = 30) -> None:
    """Move every term of ``institution`` into the past: its contract lapsed ``days_ago`` days ago."""
    end = platform_today() - dt.timedelta(days=days_ago)
    Subscription.objects.filter(institution=institution).update(
        term_start=end - dt.timedelta(days=365), term_end=end, ended_on=None
    )


def ready_export(**owner) -> DataExport:
    """A built archive (a tiny zip) of an institution or a person."""
    kind = "institution" if "institution" in owner else "person"
    export = DataExport(kind=kind, state="ready", progress=100, finished_at=timezone.now(), sha256="0" * 64, **owner)
    export.file.save("matrix.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    export.size = export.file.size
    export.save()
    return export


def matrix_export(cast) -> int:
    found = DataExport.objects.filter(institution=cast.inst_a, state="ready").first()
    return (found or ready_export(institution=cast.inst_a)).pk


def matrix_closeout(cast) -> int:
    """A destroyed close-out of a third institution (A and B keep their people for the other URLs)."""
    from mentormemed.testing.factories import InstitutionFactory

    found = CloseOut.objects.filter(state="destroyed").first()
    if found:
        return found.pk
    now = timezone.now()
    return CloseOut.objects.create(
        institution=InstitutionFactory(name="Closed College of Medicine"),
        state="destroyed",
        contract_ended_on=platform_today() - dt.timedelta(days=60),
        handed_over_at=now - dt.timedelta(days=40),
        destroy_after=now - dt.timedelta(days=10),
        destroyed_at=now,
        grace_days=30,
        certificate_number="COD-MATRIX-00001",
        summary={"removed": [["accounts (name, e-mail and sign-in removed)", 3]], "kept": []},
    ).pk


def matrix_erasure(cast) -> int:
    found = ErasureRequest.objects.filter(person=cast.mentee.user).first()
    return (found or ErasureRequest.objects.create(person=cast.mentee.user, contact_email=cast.mentee.user.email)).pk


def matrix_own_exports(cast) -> dict:
    """Every cast member has a built archive of their own (the URLs carry no id)."""
    for who in (cast.mentee, cast.mentor, cast.admin, cast.mentee_b, cast.mentor_b, cast.admin_b):
        if not DataExport.objects.filter(person=who.user).exists():
            ready_export(person=who.user)
    return {}
