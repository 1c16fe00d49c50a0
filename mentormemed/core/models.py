"""Audit log (R26): every admin/staff action and every view of sensitive data; the run and worker
records of the sweep; the shape every staff-written translation of a versioned text shares."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from mentormemed.core.languages import translation_codes, translation_languages


class AuditEntry(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    institution = models.ForeignKey(
        "institutions.Institution", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class PeriodicRun(models.Model):
    """One row per periodic run (the sweep): its lock lease and how its last pass went.

    A pass takes the row with ``SELECT … FOR UPDATE`` (on SQLite the IMMEDIATE transaction does the
    same), sets ``locked_until`` and commits, so two passes never overlap and a pass whose worker
    died frees the lock when the lease ends — or sooner, when the pass ran in a ``manage.py worker``
    (``holder``) whose heartbeat has stopped. ``finished_at`` feeds readiness and the metrics.
    """

    name = models.CharField(max_length=40, unique=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=64, blank=True)  # the worker running the pass ("" outside a worker)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failures = models.JSONField(default=list, blank=True)  # the jobs and rows that failed in the last pass
    result = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A task worker (``manage.py worker``) that is alive: ``seen_at`` moves every few seconds.

    A RUNNING task whose worker's heartbeat is older than the lease goes back to the queue.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    queues = models.CharField(max_length=200)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.queues})"


class VersionTranslation(models.Model):
    """Staff's translation of one published version of a text into one language (issue 19, languages).

    Abstract: training modules and evaluation instruments each have a concrete table
    (``ModuleVersionTranslation``, ``InstrumentVersionTranslation``) that adds its ``version``
    foreign key, its translated fields and its ``Meta.constraints`` from
    ``version_translation_constraints``. A translation belongs to the version it translates, one
    per language, so a new version starts untranslated.
    """

    version: Any  # the concrete model's ForeignKey to the version it translates
    language = models.CharField(max_length=8, choices=translation_languages())
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["version", "language"]

    def __str__(self) -> str:
        return f"{self.version} ({self.language})"


def version_translation_constraints(prefix: str) -> list[models.BaseConstraint]:
    """One translation per version and language, in a known language: ``<prefix>_one_per_language``
    and ``<prefix>_language_known`` (the names the tables were created with)."""
    return [
        models.UniqueConstraint(fields=["version", "language"], name=f"{prefix}_one_per_language"),
        models.CheckConstraint(condition=Q(language__in=translation_codes()), name=f"{prefix}_language_known"),
    ]
