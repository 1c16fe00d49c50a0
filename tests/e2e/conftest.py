"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings, request):
    settings.SITE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, timezone_id="America/Chicago")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    refused: list[str] = []
    pg.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    assert not refused, f"the page's Content-Security-Policy refused: {refused}"
    if getattr(request.node, "rep_call", None) and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def run_axe(page) -> list[str]:
    """axe-core's WCAG 2.2 A/AA rules on the current page: one line per violated rule."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    # govern (a <script> tag would be refused, as it would be for an attacker).
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;window.axe = axe; undefined")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})" for v in result["violations"]]


def assert_accessible(page, *, context: str = "") -> None:
    """Run axe-core on the current page; fail on any WCAG 2.2 A/AA violation."""
    violations = run_axe(page)
    assert not violations, f"axe violations {context} {page.url}:\n" + "\n".join(violations)


def sign_in(page, email: str, password: str, *, totp_secret: str | None = None) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret:
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

        counters = list(yield_hotp_counters_from_time())
        code = format_hotp_value(hotp_value(totp_secret, counters[len(counters) // 2]))
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Sign In").click()
    # Wait until signed in: navigating away while the sign-in POST is in flight would lose it.
    page.wait_for_url(lambda url: "/accounts/login/" not in url and "/accounts/2fa/authenticate/" not in url)
