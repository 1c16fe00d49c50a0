"""After a restore: are all migrations applied, the PostgreSQL extensions present, the rows there?

``manage.py restore_check --write-counts counts.json`` on the source (just before the dump) records
the row counts; ``manage.py restore_check --expect counts.json`` on the restored database compares
them; ``--media`` also checks that every file the database names (photos, exports, training files,
IRB documents) is in the storage (``MEDIA_ROOT``). Exit status 1 with every problem listed when
anything is off (docs/operations.md, "Restore").
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor

EXTENSIONS = ("btree_gist", "pg_trgm", "unaccent")  # created by migrations; the constraints and search need them
COUNTED = (
    "accounts.User",
    "institutions.Institution",
    "institutions.Subscription",
    "institutions.Membership",
    "institutions.Invitation",
    "mentorships.Relationship",
    "scheduling.Meeting",
    "core.AuditEntry",
)


def row_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def missing_files() -> dict[str, list[str]]:
    """Per model field (``app.Model.field``), the stored file names the storage does not have."""
    missing: dict[str, list[str]] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, models.FileField):
                continue
            names = model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
            absent = [name for name in names.iterator() if name and not default_storage.exists(name)]
            if absent:
                missing[f"{model._meta.label}.{field.name}"] = absent
    return missing


def problems(expected: dict[str, int] | None = None, *, media: bool = False) -> list[str]:
    found = []
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        found.append(f"{len(pending)} migrations not applied, e.g. {pending[0][0].app_label}.{pending[0][0].name}.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT extname FROM pg_extension")
            present = {row[0] for row in cursor.fetchall()}
        found += [
            f"Extension {name} is missing (CREATE EXTENSION {name};)." for name in EXTENSIONS if name not in present
        ]
    if expected is not None:
        counts = row_counts()
        found += [
            f"{label}: {counts.get(label)} rows, expected {number}."
            for label, number in expected.items()
            if counts.get(label) != number
        ]
    if media:
        found += [
            f"{label}: {len(names)} files missing from the media storage, e.g. {names[0]}."
            for label, names in missing_files().items()
        ]
    return found


class Command(BaseCommand):
    help = "Check a restored database: migrations applied, extensions present, row counts as recorded."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--expect", type=Path, help="Counts written by --write-counts on the source.")
        parser.add_argument("--write-counts", type=Path, help="Record this database's row counts and stop.")
        parser.add_argument(
            "--media", action="store_true", help="Also check that every file the database names is in MEDIA_ROOT."
        )

    def handle(
        self,
        *args: Any,
        expect: Path | None = None,
        write_counts: Path | None = None,
        media: bool = False,
        **options: Any,
    ) -> None:
        if write_counts:
            write_counts.write_text(json.dumps(row_counts(), indent=2))
            self.stdout.write(f"Row counts written to {write_counts}.")
            return
        expected = json.loads(expect.read_text()) if expect else None
        found = problems(expected, media=media)
        for label, number in row_counts().items():
            self.stdout.write(f"{label}: {number}")
        if found:
            raise CommandError("Restore check failed:\n" + "\n".join(f"- {p}" for p in found))
        self.stdout.write(
            self.style.SUCCESS(
                "Restore check passed: migrations applied, extensions present, counts match"
                + (", media files present." if media else ".")
            )
        )
