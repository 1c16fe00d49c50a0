"""Issue 12: a 5,000-row roster — checked whole on upload (a bad row changes nothing), invited in
the background in bulk with every e-mail queued, progress the admin can watch, a report at the end.
R26: each invitation has its audit row."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.institutions.models import Invitation, RosterImport
from mentormemed.notifications.models import OutgoingEmail
from mentormemed.notifications.tasks import deliver_email
from mentormemed.testing.workers import shared_database_url

__all__ = ["shared_database_url"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parents[3]
ROWS = 5000


def roster_csv(rows: int = ROWS, *, bad_last: bool = False) -> bytes:
    lines = ["email,role,first_name,last_name"]
    lines += [f"person{i:05d}@alpha.edu,{'mentor' if i % 5 == 0 else 'mentee'},Pat{i},Roster" for i in range(rows)]
    if bad_last:
        lines[-1] = "not-an-address,mentee,Bad,Row"
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db
def test_r26_5000_row_roster_through_the_test_client_invites_and_queues_every_email(
    cast, django_capture_on_commit_callbacks
):
    """R26: 5,000 invitations, 5,000 audit rows and 5,000 invitation e-mails; the upload and the
    confirm only check and enqueue — the inviting is the background task's."""
    client = cast.client_for(cast.admin)
    before = Invitation.objects.count()
    response = client.post(reverse("institutions:roster"), {"file": SimpleUploadedFile("big.csv", roster_csv())})
    roster = RosterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "institutions:roster_import", args=[roster.pk]
    )
    assert (roster.status, roster.total, Invitation.objects.count()) == ("ready", ROWS, before)  # checked, not written
    page = client.get(response["Location"]).content.decode()
    assert f"Invite these {ROWS} people" in page

    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the task (inline in tests)
        response = client.post(reverse("institutions:roster_import_action", args=[roster.pk, "confirm"]))
    assert response.status_code == 302
    roster.refresh_from_db()
    assert (roster.status, roster.processed, roster.created, roster.skipped, roster.failed) == (
        "done",
        ROWS,
        ROWS,
        0,
        0,
    )
    assert Invitation.objects.filter(institution=cast.inst_a, email__startswith="person").count() == ROWS
    assert AuditEntry.objects.filter(action="invitation.create", detail__roster_import=roster.pk).count() == ROWS
    invited = {address for message in mail.outbox for address in message.to}
    assert len(mail.outbox) == ROWS and len(invited) == ROWS

    report = client.get(reverse("institutions:roster_import", args=[roster.pk])).content.decode()
    assert f'<progress id="roster-progress" class="w-100 d-block mb-2" max="{ROWS}" value="{ROWS}">' in report
    assert 'role="status"' in report and f"{ROWS} invited · 0 skipped (already members) · 0 failed" in report
    assert 'http-equiv="refresh"' not in report  # finished: the page stops refreshing

    again = client.post(reverse("institutions:roster_import_action", args=[roster.pk, "confirm"]), follow=True)
    assert "already confirmed" in again.content.decode()  # a double submit invites nobody twice
    assert Invitation.objects.filter(email__startswith="person").count() == ROWS


@pytest.mark.django_db
def test_5000_row_roster_with_a_bad_last_row_changes_nothing(cast, django_capture_on_commit_callbacks):
    before = (Invitation.objects.count(), AuditEntry.objects.count())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = cast.client_for(cast.admin).post(
            reverse("institutions:roster"), {"file": SimpleUploadedFile("big.csv", roster_csv(bad_last=True))}
        )
    assert response.status_code == 200
    assert f"Line {ROWS + 1}: “not-an-address” is not a valid e-mail address." in response.content.decode()
    assert (Invitation.objects.count(), AuditEntry.objects.count()) == before
    assert not RosterImport.objects.exists() and callbacks == [] and mail.outbox == []


@pytest.mark.django_db
def test_progress_page_refreshes_while_running_and_is_scoped_to_the_institution(cast):
    roster = RosterImport.objects.create(
        institution=cast.inst_a,
        uploaded_by=cast.admin.user,
        status="running",
        total=1000,
        processed=500,
        created=480,
        skipped=20,
        rows=[],
    )
    page = cast.client_for(cast.admin).get(reverse("institutions:roster_import", args=[roster.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert 'max="1000" value="500"' in page and "500 of 1000 rows done" in page
    assert "480 invited · 20 skipped" in page
    assert cast.client_for(cast.admin_b).get(reverse("institutions:roster_import", args=[roster.pk])).status_code == 404


@pytest.mark.django_db
def test_a_row_that_cannot_be_saved_fails_alone_and_the_batch_goes_on(cast, django_capture_on_commit_callbacks):
    """One row the database refuses (here: a name the upload check did not see, written into the
    stored rows) is reported as failed; the rest of its batch is invited."""
    from mentormemed.institutions import services

    result = services.roster_check(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, data=roster_csv(3))
    roster = result.roster
    roster.rows[1][3] = "x" * 500  # longer than the column
    roster.save(update_fields=["rows"])
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_confirm(acting=Actor.for_user(cast.admin.user), roster=roster)
    roster.refresh_from_db()
    if connection.vendor == "sqlite":  # SQLite does not enforce VARCHAR lengths: all three are written
        assert (roster.created, roster.failed) == (3, 0)
        return
    assert (roster.status, roster.created, roster.failed) == ("done", 2, 1)
    assert roster.errors == [[3, "Could not be saved; invite this person on their own."]]
    assert len(mail.outbox) == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_5000_row_roster_through_gunicorn_and_a_real_worker(cast, shared_database_url, tmp_path):
    """Issue 12, against real processes: gunicorn with the project's own configuration (30 s worker
    timeout) answers the upload and the confirm at once; a ``manage.py worker`` process does the
    inviting; 5,000 invitations, 5,000 audit rows and 5,000 outbox e-mails are in the database
    afterwards, the report says so. PostgreSQL, and SQLite through a database file both processes open."""
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url,
        "EMAIL_URL": "dummymail://",
        "DJANGO_SETTINGS_MODULE": "mentormemed.settings",
        "DJANGO_ENV": "development",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    port = _free_port()
    gunicorn_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "mentormemed.wsgi"],
        cwd=ROOT,
        env=gunicorn_env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    try:
        session = cast.client_for(cast.admin).cookies["sessionid"].value
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(_NoRedirect)
        for _ in range(600):  # wait (bounded: 60 s on a loaded machine) for gunicorn to listen
            try:
                page = _get(opener, base + reverse("institutions:roster"), session)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[-2000:])
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        before = (Invitation.objects.count(), AuditEntry.objects.count())
        started = time.monotonic()
        bad = roster_csv(bad_last=True)
        refused = _post_file(opener, base + reverse("institutions:roster"), session, page.csrf, csrf, bad)
        refused_seconds = time.monotonic() - started
        assert refused.status == 200 and f"Line {ROWS + 1}:" in refused.text  # the bad last row, named
        assert refused_seconds < 10 and (Invitation.objects.count(), AuditEntry.objects.count()) == before
        assert not RosterImport.objects.exists()  # nothing written, nothing to roll back
        started = time.monotonic()
        upload = _post_file(opener, base + reverse("institutions:roster"), session, page.csrf, csrf, roster_csv())
        upload_seconds = time.monotonic() - started
        assert upload.status == 302, upload.text[:500]
        roster = RosterImport.objects.get()
        started = time.monotonic()
        confirm = _post(
            opener,
            base + reverse("institutions:roster_import_action", args=[roster.pk, "confirm"]),
            session,
            page.csrf,
            {"csrfmiddlewaretoken": csrf},
        )
        confirm_seconds = time.monotonic() - started
        assert confirm.status == 302
        assert upload_seconds < 10 and confirm_seconds < 5  # far inside the 30 s worker timeout
        roster.refresh_from_db()
        assert roster.status == "queued" and Invitation.objects.filter(email__startswith="person").count() == 0
        print(
            f"gunicorn: refused {ROWS} rows with a bad last one {refused_seconds:.2f} s, "
            f"upload {upload_seconds:.2f} s, confirm {confirm_seconds:.2f} s"
        )

        worker = subprocess.run(  # the production worker command, on the main queue, until it is empty
            [sys.executable, "manage.py", "worker", "--queue-name", "default", "--batch", "--no-startup-delay"]
            + ["--no-reload"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert worker.returncode == 0, worker.stderr[-2000:]
        roster.refresh_from_db()
        assert (roster.status, roster.created) == ("done", ROWS)
        assert Invitation.objects.filter(institution=cast.inst_a, email__startswith="person").count() == ROWS
        assert AuditEntry.objects.filter(action="invitation.create", detail__roster_import=roster.pk).count() == ROWS
        invited = {to[0] for to in OutgoingEmail.objects.values_list("to", flat=True) if to[0].startswith("person")}
        assert len(invited) == ROWS  # one e-mail owed per invitation, recorded with it
        deliveries = DBTaskResult.objects.filter(task_path=deliver_email.module_path, queue_name="email")
        assert deliveries.count() == ROWS  # each enqueued, on the e-mail queue, for the mail worker
        report = _get(opener, base + reverse("institutions:roster_import", args=[roster.pk]), session)
        assert f"{ROWS} invited" in report.text
    finally:
        server.terminate()
        server.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _Response:
    def __init__(self, status: int, text: str, csrf: str):
        self.status, self.text, self.csrf = status, text, csrf


def _send(opener, request) -> _Response:
    try:
        with opener.open(request, timeout=30) as response:
            status, body, headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, body, headers = exc.code, exc.read(), exc.headers
    cookies = headers.get_all("Set-Cookie") or []
    csrf = next((c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken=")), "")
    return _Response(status, body.decode(errors="replace"), csrf)


def _get(opener, url: str, session: str) -> _Response:
    return _send(opener, urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"}))


def _post(opener, url: str, session: str, csrf_cookie: str, data: dict) -> _Response:
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(data).encode(),
        headers={"Cookie": f"sessionid={session}; csrftoken={csrf_cookie}", "Referer": url},
    )
    return _send(opener, request)


def _post_file(opener, url: str, session: str, csrf_cookie: str, csrf: str, content: bytes) -> _Response:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Cookie": f"sessionid={session}; csrftoken={csrf_cookie}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": url,
        },
    )
    return _send(opener, request)
