"""Issue 12: a backup can be restored. pg_dump -Fc of a populated database and a copy of its media,
scripts/restore.sh into a scratch database and a fresh MEDIA_ROOT, then the post-restore check
(migrations applied, extensions present, counts, every file the database names present)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from mentormemed.core.access import Actor
from mentormemed.core.management.commands.restore_check import missing_files, problems, row_counts

ROOT = Path(__file__).resolve().parents[3]


def _url(settings_dict: dict, name: str) -> str:
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{settings_dict['USER']}{password}@{host}:{port}/{name}"


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_into_a_scratch_database_and_passes_the_check(cast, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump/pg_restore are PostgreSQL tools; SQLite deployments copy the database file.")
    from mentormemed.mentorships import testing
    from mentormemed.profiles import services as profiles
    from mentormemed.profiles.testing import tiny_png

    settings.MEDIA_ROOT = str(tmp_path / "media")
    profile = testing.mentor_profile(cast.mentor)
    testing.relationship(cast.mentee, profile)
    profiles.mentor_photo_set(acting=Actor.for_membership(cast.mentor), upload=SimpleUploadedFile("me.png", tiny_png()))
    profile.refresh_from_db()
    media_backup = tmp_path / "media-backup"
    shutil.copytree(tmp_path / "media", media_backup)  # the night's copy of MEDIA_ROOT
    source = connection.settings_dict
    counts = tmp_path / "counts.json"
    call_command("restore_check", write_counts=counts)
    assert json.loads(counts.read_text())["institutions.Membership"] >= 6
    dump = tmp_path / "backup.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), _url(source, source["NAME"])], check=True, timeout=120)

    scratch = f"{source['NAME']}_restore"
    server = _url(source, "postgres")
    subprocess.run(["psql", server, "-q", "-c", f'DROP DATABASE IF EXISTS "{scratch}"'], check=True, timeout=60)
    restored_media = tmp_path / "restored-media"
    env = {**os.environ, "PYTHON": sys.executable, "MEDIA_ROOT": str(restored_media)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    try:
        restored = subprocess.run(
            [str(ROOT / "scripts" / "restore.sh"), str(dump), _url(source, scratch), str(counts), str(media_backup)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert restored.returncode == 0, restored.stdout[-3000:] + restored.stderr[-3000:]
        assert "Restore check passed" in restored.stdout and "media files present" in restored.stdout
        assert (restored_media / profile.photo.name).read_bytes() == tiny_png()
        # The check is not a rubber stamp: a count that differs fails it.
        wrong = tmp_path / "wrong.json"
        wrong.write_text(json.dumps({**json.loads(counts.read_text()), "core.AuditEntry": 10**6}))
        checked = subprocess.run(
            [sys.executable, "manage.py", "restore_check", "--expect", str(wrong)],
            cwd=ROOT,
            env={**env, "DATABASE_URL": _url(source, scratch)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert checked.returncode == 1 and "core.AuditEntry" in checked.stderr and "expected 1000000" in checked.stderr
        # … and so does a file the database names that the media copy lacks.
        (restored_media / profile.photo.name).unlink()
        checked = subprocess.run(
            [sys.executable, "manage.py", "restore_check", "--media"],
            cwd=ROOT,
            env={**env, "DATABASE_URL": _url(source, scratch)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert checked.returncode == 1
        assert f"profiles.MentorProfile.photo: 1 files missing from the media storage, e.g. {profile.photo.name}." in (
            checked.stderr
        )
    finally:
        subprocess.run(["psql", server, "-q", "-c", f'DROP DATABASE IF EXISTS "{scratch}"'], timeout=60)


@pytest.mark.django_db
def test_the_check_passes_on_this_database_and_reports_a_missing_count():
    assert problems() == []
    counts = row_counts()
    assert problems({**counts, "accounts.User": counts["accounts.User"] + 1}) == [
        f"accounts.User: {counts['accounts.User']} rows, expected {counts['accounts.User'] + 1}."
    ]


@pytest.mark.django_db
def test_the_media_check_names_each_file_the_database_refers_to_that_storage_lacks(cast, settings, tmp_path):
    """The part of the check that runs on SQLite too (there the backup is a copy of the file and MEDIA_ROOT)."""
    from mentormemed.mentorships import testing
    from mentormemed.profiles import services as profiles
    from mentormemed.profiles.testing import tiny_png

    settings.MEDIA_ROOT = str(tmp_path / "media")
    profile = testing.mentor_profile(cast.mentor)
    profiles.mentor_photo_set(acting=Actor.for_membership(cast.mentor), upload=SimpleUploadedFile("me.png", tiny_png()))
    profile.refresh_from_db()
    assert missing_files() == {} and problems(media=True) == []
    (tmp_path / "media" / profile.photo.name).unlink()
    assert missing_files() == {"profiles.MentorProfile.photo": [profile.photo.name]}
    assert problems(media=True) == [
        f"profiles.MentorProfile.photo: 1 files missing from the media storage, e.g. {profile.photo.name}."
    ]
