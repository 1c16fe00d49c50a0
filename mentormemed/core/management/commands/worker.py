"""``manage.py worker``: django_tasks_db's ``db_worker`` with a heartbeat and the reaper.

Same options as ``db_worker`` (``--queue-name default`` / ``--queue-name email``, ``--interval`` …).
Run it instead of ``db_worker`` everywhere: a plain ``db_worker`` does not beat, so its long tasks
would look dead to the reaper after ``WORKER_LEASE_SECONDS``.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands import db_worker

from mentormemed.core import workers
from mentormemed.core.workers import Heartbeat


class Worker(db_worker.Worker):
    def run(self) -> None:
        workers.current_worker_id = self.worker_id  # the sweep lock records it (see core.periodic.claim_run)
        heartbeat = Heartbeat(self.worker_id, ",".join(self.queue_names))
        heartbeat.tick()  # registered (and orphans reaped) before the first claim
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stop()
            from mentormemed.core.models import WorkerHeartbeat

            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()  # a clean exit leaves nothing


class Command(db_worker.Command):
    help = "Run a task worker (database queue) that records a heartbeat and re-queues dead workers' tasks"

    def handle(self, *args: Any, **options: Any) -> None:  # BaseCommand's signature
        original = db_worker.Worker
        # The parent's handle() builds the worker; ours adds the heartbeat. Swapping the module's class
        # for the call is the point, which mypy refuses for any class name.
        db_worker.Worker = Worker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]  # put back (see above)
