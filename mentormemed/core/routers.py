"""The read replica (``DATABASE_REPLICA_URL``, alias ``replica``): which reads may go there.

A replica lags the primary by a little (milliseconds to seconds of streaming replication), so only
reads that do not care are sent to it:

- the **outcomes figures** — every model of the outcomes app except its four workflow records
  (research requests, data use agreements, issued invoices, participation thresholds, whose pages
  are read right after someone changes them): the rollups and the stored releases the sweep writes
  and the dashboards read, as of their last update anyway;
- **every read under ``replica_reads()``**: the research export's whole build (it reads requests,
  relationships, evaluations and profiles, and only reads).

Never to the replica: any write, any read made for a write (``select_for_update``, ``get_or_create``:
Django asks ``db_for_write`` for those), and outcomes reads inside a transaction on the primary (the
rollup update reads back what its own transaction wrote). Without ``DATABASE_REPLICA_URL`` this router
is not installed and everything reads from ``default``, as before.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
REPLICA_APPS = frozenset({"outcomes"})
# Outcomes models people change and then read at once: read from the primary.
PRIMARY_MODELS = frozenset({"researchrequest", "datauseagreement", "invoiceissue", "participationthreshold"})

_forced: contextvars.ContextVar[bool] = contextvars.ContextVar("mmm_replica_reads", default=False)


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Every read inside goes to the replica when there is one (work that only reads, like an export)."""
    token = _forced.set(True)
    try:
        yield
    finally:
        _forced.reset(token)


def goes_to_replica(model: Any) -> bool:
    """Whether reads of ``model`` go to the replica outside ``replica_reads()`` (the rule above)."""
    meta = model._meta
    return meta.app_label in REPLICA_APPS and meta.model_name not in PRIMARY_MODELS


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        if REPLICA not in connections.settings:
            return PRIMARY
        if _forced.get():
            return REPLICA
        if goes_to_replica(model) and not connections[PRIMARY].in_atomic_block:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY  # the replica receives the schema by replication
