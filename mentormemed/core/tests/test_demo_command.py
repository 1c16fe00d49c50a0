"""`make demo PORT=…`: every absolute link follows the port, and the output leads with the sign-ins."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mentormemed.core.management.commands.demo_data import Command

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_sets_site_url_from_host_and_port():
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    plan = subprocess.run(
        ["make", "-n", "--no-print-directory", "demo", "PORT=8101"], cwd=ROOT, env=env, capture_output=True, text=True
    ).stdout
    assert "http://127.0.0.1:8101" in plan and ":8000" not in plan
    assert "migrate --noinput -v 0" in plan  # migrations say nothing: the sign-ins come first


def test_the_sign_ins_name_the_address_the_demo_serves(db, settings):
    settings.SITE_URL = "http://127.0.0.1:8101"
    out = io.StringIO()
    command = Command(stdout=out)
    command.print_sign_ins()
    text = out.getvalue()
    assert "MentorMeMed demo — http://127.0.0.1:8101/" in text and "8000" not in text
    assert text.index("mentee@demo.mentormemed.org") < text.index("make totp")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_installs_chromium_when_it_is_missing():
    plan = subprocess.run(
        ["make", "-n", "--no-print-directory", "test"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert "apt-get install -y -qq chromium" in plan
