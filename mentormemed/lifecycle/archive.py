"""Writing an export archive: one CSV per dataset, ``data-dictionary.json`` and ``README.txt``."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Sequence

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mentormemed.core.spreadsheet import csv_text
from mentormemed.lifecycle.catalogue import Dataset

WRITING = "writing:"  # the progress step while a dataset is written: "writing:<dataset key>"

NOT_INCLUDED = (
    _(
        "Messages, goals, mentoring compacts and meeting notes: private to the two people; a person"
        " downloads their own from their account."
    ),
    _("Single evaluation answers: mentors and institutions see released aggregates only."),
    _("Identity characteristics a person kept private."),
    _(
        "Another institution's people: where one of ours met someone elsewhere, the other side reads"
        " 'another institution'."
    ),
)


def dictionary(datasets: Sequence[Dataset]) -> list[dict]:
    return [
        {
            "file": f"{d.key}.csv",
            "title": str(d.title),
            "description": str(d.description),
            "columns": [{"name": name, "meaning": str(meaning)} for name, meaning in d.columns],
        }
        for d in datasets
    ]


def readme(*, heading: str, subject: str, counts: dict[str, int], datasets: Sequence[Dataset], notes=()) -> str:
    """The archive's README in the active language (the export is built in its requester's)."""
    lines = [
        str(heading),
        gettext("Subject: %(subject)s") % {"subject": subject},
        gettext("Built: %(when)s UTC") % {"when": f"{timezone.now():%Y-%m-%d %H:%M}"},
        "",
        gettext("Files (UTF-8 CSV, comma-separated, header row first; times in UTC, ISO 8601):"),
    ]
    for d in datasets:
        rows = ngettext("%(count)s row", "%(count)s rows", counts.get(d.key, 0)) % {"count": counts.get(d.key, 0)}
        lines.append(f"- {d.key}.csv — {d.title}: {rows}. {d.description}")
    lines += ["", gettext("data-dictionary.json describes every column of every file.")]
    lines += [gettext("Column names are the same in every language; their meanings are written in this language.")]
    if notes:
        lines += ["", gettext("Not included, and why:")] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def write(
    *,
    subject_arg,
    datasets: Sequence[Dataset],
    heading: str,
    subject: str,
    notes: Sequence[str | Promise] = NOT_INCLUDED,
    progress: Callable[[int, str], None] = lambda percent, step: None,
):
    """Build the archive in a temporary file; returns (file, sha256, row counts per dataset)."""
    counts: dict[str, int] = {}
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, dataset in enumerate(datasets):
            progress(round(100 * index / (len(datasets) + 1)), f"{WRITING}{dataset.key}")
            rows = list(dataset.rows(subject_arg))
            counts[dataset.key] = len(rows)
            archive.writestr(f"{dataset.key}.csv", csv_text(dataset.header, rows))
        archive.writestr("data-dictionary.json", json.dumps(dictionary(datasets), indent=2, ensure_ascii=False))
        archive.writestr(
            "README.txt", readme(heading=heading, subject=subject, counts=counts, datasets=datasets, notes=notes)
        )
    out.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: out.read(1 << 20), b""):
        digest.update(chunk)
    out.seek(0)
    return out, digest.hexdigest(), counts
