"""Background work is recorded with the change that starts it, so a lost task loses nothing.

A roster import whose enqueue after commit failed, and an export left "being built" by a worker that
died, are found by the sweep's ``resumed`` job, enqueued again and finished by a real worker process.
Before it, both stayed "waiting" / "being built" for ever (and the export blocked any new one)."""

from __future__ import annotations

import subprocess
from unittest import mock

import pytest
from django_tasks_db.models import DBTaskResult

from mentormemed.core import periodic
from mentormemed.core.access import Actor
from mentormemed.core.resume import resume_stranded
from mentormemed.institutions import services, tasks
from mentormemed.institutions.models import Invitation, RosterImport
from mentormemed.lifecycle import exports
from mentormemed.lifecycle import tasks as lifecycle_tasks
from mentormemed.lifecycle.models import DataExport
from mentormemed.notifications.models import OutgoingEmail
from mentormemed.testing.workers import shared_database_url, start_manage

__all__ = ["shared_database_url"]  # the fixture, used by name

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROWS = 40


def _roster() -> bytes:
    lines = ["email,role,first_name,last_name"] + [f"lost{i:03d}@alpha.edu,mentee,Lee{i},Lost" for i in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


def test_work_whose_task_was_lost_is_enqueued_again_by_the_sweep_and_finished_by_a_worker(
    cast, shared_database_url, tmp_path
):
    admin = Actor.for_user(cast.admin.user)
    roster = services.roster_check(acting=admin, institution=cast.inst_a, data=_roster()).roster
    queue_down = mock.patch.object(type(tasks.run_roster_import), "enqueue", side_effect=RuntimeError("queue down"))
    with queue_down:
        roster = services.roster_confirm(acting=admin, roster=roster)  # the request succeeds (robust on_commit)
    assert roster.status == RosterImport.Status.QUEUED
    assert not DBTaskResult.objects.filter(task_path=tasks.run_roster_import.module_path).exists()

    export = exports.export_request(acting=Actor.for_membership(cast.admin), institution=cast.inst_a)
    build = DBTaskResult.objects.get(task_path=lifecycle_tasks.build_export.module_path)
    # A worker claimed the export and was killed; the reaper's re-run found it claimed and ended.
    DataExport.objects.filter(pk=export.pk).update(state=DataExport.State.RUNNING, step="Starting")
    DBTaskResult.objects.filter(pk=build.pk).update(status="SUCCESSFUL")

    assert "resumed" in periodic._jobs  # the sweep runs it every pass
    assert resume_stranded() == 2
    assert resume_stranded() == 0  # now each has a task waiting: nothing is enqueued twice
    assert DataExport.objects.get(pk=export.pk).state == DataExport.State.QUEUED

    worker = start_manage(
        shared_database_url,
        "worker",
        "--queue-name",
        "default",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        env={"MEDIA_ROOT": str(tmp_path / "media")},
        log=tmp_path / "worker.log",
    )
    try:
        assert worker.wait(180) == 0, (tmp_path / "worker.log").read_text()[-3000:]
    except subprocess.TimeoutExpired:
        worker.kill()
        raise
    roster.refresh_from_db()
    assert (roster.status, roster.created) == (RosterImport.Status.DONE, ROWS)
    assert Invitation.objects.filter(email__startswith="lost").count() == ROWS
    owed = [to for to in OutgoingEmail.objects.values_list("to", flat=True) if to[0].startswith("lost")]
    assert len(owed) == ROWS  # every invitation e-mail is in the outbox
    export.refresh_from_db()
    assert export.state == DataExport.State.READY and export.size > 0
    assert resume_stranded() == 0
