"""Institution and personal data exports (R40, people's rights): requested, built in the background
with progress, downloaded by whoever may (audited), kept for ``EXPORT_KEEP_DAYS``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from mentormemed.core.access import ADMIN, STAFF, Actor
from mentormemed.core.audit import audit
from mentormemed.institutions.models import Institution
from mentormemed.lifecycle import archive
from mentormemed.lifecycle.catalogue import INSTITUTION_DATASETS
from mentormemed.lifecycle.models import DataExport

log = logging.getLogger(__name__)
EXPORT_KEEP_DAYS = 30
STARTING, READY = "starting", "ready"
STEPS = {STARTING: gettext_lazy("Starting"), READY: gettext_lazy("Ready")}
"""An export's ``step`` is stored as a code (``starting``, ``writing:<dataset key>``, ``ready``) and
written in the reader's language when shown (``step_label``), not in the language of the worker
that built it."""


@transaction.atomic
def export_request(*, acting: Actor, institution: Institution | None = None) -> DataExport:
    """Queue an export of ``institution`` (its admins, or staff) or, with none, of the acting person's own
    data; one at a time. Who may export what is decided here, from ``acting``, not by the caller."""
    if institution is not None:
        _require_institution(acting, institution)
        kind, owner = DataExport.Kind.INSTITUTION, {"institution": institution}
    else:
        acting.require("lifecycle.mine")
        kind, owner = DataExport.Kind.PERSON, {"person": acting.user}
    running = DataExport.objects.select_for_update().filter(
        kind=kind, state__in=[DataExport.State.QUEUED, DataExport.State.RUNNING], **owner
    )
    if running.exists():
        raise ValidationError(gettext("An export is already being built; it will appear here when it is ready."))
    export = DataExport.objects.create(kind=kind, requested_by=acting.user, **owner)
    audit(acting=acting, action=f"lifecycle.export.{kind}", obj=export, institution=institution)
    from mentormemed.lifecycle.tasks import build_export

    pk = export.pk
    transaction.on_commit(lambda: build_export.enqueue(export_id=pk), robust=True)
    return export


def _require_institution(acting: Actor, institution: Institution) -> None:
    """An institution's data goes to its own admins, or to staff (at close-out): nobody else (FERPA)."""
    if acting.role == STAFF:
        return
    if acting.role != ADMIN or acting.institution_id != institution.pk:
        raise PermissionDenied("Only the institution's admins or staff export its data.")


def _datasets(export: DataExport):
    if export.kind == DataExport.Kind.INSTITUTION:
        return (
            INSTITUTION_DATASETS,
            export.institution,
            gettext("Data export of %(name)s") % {"name": export.institution.name},
            archive.NOT_INCLUDED,
        )
    from mentormemed.lifecycle.personal import PERSON_DATASETS, PERSON_NOT_INCLUDED

    return PERSON_DATASETS, export.person, gettext("Your data from MentorMeMed"), PERSON_NOT_INCLUDED


def _dataset_list(export: DataExport):
    if export.kind == DataExport.Kind.INSTITUTION:
        return INSTITUTION_DATASETS
    from mentormemed.lifecycle.personal import PERSON_DATASETS

    return PERSON_DATASETS


def step_label(export: DataExport) -> str:
    """Where the build of ``export`` is, in the active language ("Writing: Meetings" / "Escribiendo:
    Reuniones"); a step stored as text (before steps were codes) reads as stored."""
    step = export.step
    if step in STEPS:
        return str(STEPS[step])
    if step.startswith(archive.WRITING):
        key = step.removeprefix(archive.WRITING)
        title = next((d.title for d in _dataset_list(export) if d.key == key), None)
        if title is not None:
            return gettext("Writing: %(title)s") % {"title": title}
    return step


def _language_of(export: DataExport) -> str:
    requester = export.requested_by
    return (requester.language if requester is not None else "") or settings.LANGUAGE_CODE


def export_build(*, export_id: int) -> dict:
    """Build the archive (idempotent: only a queued export is claimed, by one worker)."""
    if not DataExport.objects.filter(pk=export_id, state=DataExport.State.QUEUED).update(
        state=DataExport.State.RUNNING, step=STARTING
    ):
        return {"built": 0}
    export = DataExport.objects.select_related("institution", "person", "requested_by").get(pk=export_id)

    def progress(percent: int, step: str) -> None:
        DataExport.objects.filter(pk=export_id).update(progress=percent, step=step)

    try:
        # The README and the data dictionary are written in the requester's language.
        with translation.override(_language_of(export)):
            datasets, subject_arg, heading, notes = _datasets(export)
            subject = str(subject_arg) if export.institution_id else subject_arg.email
            out, sha, counts = archive.write(
                subject_arg=subject_arg,
                datasets=datasets,
                heading=heading,
                subject=subject,
                notes=notes,
                progress=progress,
            )
        with out:
            name = f"{export.kind}-{export_id}-{timezone.now():%Y%m%d%H%M%S}.zip"
            export.file.save(name, File(out), save=False)
            export.size = export.file.size
    except Exception as exc:  # the admin sees the failure instead of a spinner forever
        log.exception("export %s failed", export_id)
        DataExport.objects.filter(pk=export_id).update(
            state=DataExport.State.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        return {"failed": 1}
    DataExport.objects.filter(pk=export_id).update(
        file=export.file.name,
        size=export.size,
        sha256=sha,
        state=DataExport.State.READY,
        progress=100,
        step=READY,
        finished_at=timezone.now(),
    )
    from mentormemed.lifecycle.closeout import export_ready

    export_ready(export_id=export_id)
    return {"built": 1, **counts}


@transaction.atomic
def export_download(*, acting: Actor, export: DataExport):
    """The archive's file, opened for reading, for whom it was built; audited with its checksum."""
    if export.kind == DataExport.Kind.PERSON:
        if acting.user is None or export.person_id != acting.user.pk:
            raise PermissionDenied("A personal archive is its person's only.")
    else:
        assert export.institution is not None
        _require_institution(acting, export.institution)
    if export.state != DataExport.State.READY or not export.file:
        raise ValidationError(gettext("This export is not ready to download."))
    DataExport.objects.filter(pk=export.pk).update(downloads=export.downloads + 1)
    audit(
        acting=acting,
        action="lifecycle.export.download",
        obj=export,
        institution=export.institution,
        detail={"sha256": export.sha256, "size": export.size},
    )
    return export.file.open("rb")


def export_remove_file(export: DataExport) -> None:
    """Delete the archive's file (expired, or destroyed at close-out); the row stays as a record."""
    if export.file:
        export.file.delete(save=False)
    DataExport.objects.filter(pk=export.pk).update(file="", state=DataExport.State.REMOVED)
