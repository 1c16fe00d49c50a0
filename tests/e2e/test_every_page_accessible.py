"""axe-core's WCAG 2.2 A/AA rules on every GET page of every role, generated from the URL resolver.

The pages come from the permission matrix's walk of the resolver and its ``URL_ARGS`` builders, so a
new URL is covered the day it is added (the matrix already fails until it says how to build its
arguments). Each role gets one browser context and one page, reused for all its URLs; whatever does
not answer ``200 text/html`` (a PDF, CSV or calendar download, a redirect, a POST-only action) is
left out.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, get_resolver, reverse
from playwright.sync_api import Error as PlaywrightError

from mentormemed.core.access import PERMISSIONS
from mentormemed.core.tests.test_permission_matrix import URL_ARGS, _walk
from tests.e2e.conftest import run_axe

ROLES = ("anonymous", "mentee", "mentor", "admin", "staff")


def _pages_by_role(cast) -> dict[str, list[str]]:
    """Every named URL (allauth's own pages included) each role may GET, with institution A's objects."""
    urls: dict[str, str] = {}
    allowed: dict[str, set[str]] = {}
    for route, name, view in _walk(get_resolver().url_patterns):
        if route.startswith(("static/", "media/")) or name.endswith("None"):
            continue
        takes_arguments = "<" in route or "(?P" in route
        if takes_arguments and name not in URL_ARGS:
            continue  # allauth's token pages (e-mail keys, SAML slugs): no object to build them from
        try:
            urls[name] = reverse(name, kwargs=URL_ARGS[name][0](cast) if takes_arguments else None)
        except NoReverseMatch:
            continue
        perm = getattr(view, "required_perm", None)
        allowed[name] = set(PERMISSIONS[perm].roles) if perm else set(ROLES)
    return {role: [url for name, url in urls.items() if role in allowed[name]] for role in ROLES}


def _session_cookie(cast, role) -> str | None:
    if role == "anonymous":
        return None
    client = cast.client_for(cast.staff if role == "staff" else cast.member(role))
    return client.cookies["sessionid"].value


def _open_html(page, url: str) -> bool | None:
    """Open the address; False when it is not a page (an error, a redirect elsewhere), None when the
    browser left it (a download, an empty error answer)."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        # A file starts a download; an empty error answer (405 to a POST-only action) sends the
        # browser to its own error page (the caller then takes a fresh tab).
        if "Download is starting" in str(error) or "net::ERR_" in str(error):
            return None
        raise
    if response is None or response.status != 200 or response.request.redirected_from is not None:
        return False
    return response.headers.get("content-type", "").startswith("text/html")


def _new_page(context, refused: list[str]):
    page = context.new_page()
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def test_every_get_page_of_every_role_passes_axe_wcag_2_2_aa(browser, live_server, cast, settings):
    """WCAG 2.2 A/AA (axe tags wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa) on every HTML page each
    role can open, and no Content-Security-Policy refusal on any of them."""
    settings.SITE_URL = live_server.url
    pages = _pages_by_role(cast)
    problems: list[str] = []
    checked = 0
    for role in ROLES:
        context = browser.new_context(base_url=live_server.url, timezone_id="America/Chicago")
        context.set_default_timeout(15_000)
        if cookie := _session_cookie(cast, role):
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        refused: list[str] = []
        page = _new_page(context, refused)
        for url in pages[role]:
            opened = _open_html(page, url)
            if opened is None:
                page.close()
                page = _new_page(context, refused)
            if not opened:
                continue
            checked += 1
            problems += [f"{role} {url}: {v}" for v in run_axe(page)]
            problems += [f"{role} {url}: CSP refused {m}" for m in refused]
            refused.clear()
        context.close()
    assert checked > 150, f"only {checked} pages were checked: the URL walk lost its pages"
    assert not problems, f"{len(problems)} problems on {checked} pages:\n" + "\n".join(problems)
