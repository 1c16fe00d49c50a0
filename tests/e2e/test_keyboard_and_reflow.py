"""Keyboard only, narrow screens, less motion (WCAG 2.2 AA beyond what axe-core can see).

Every journey here moves with the keyboard alone: Tab until the wanted control has focus, then Enter or
Space. Each focus stop is checked for a visible focus indicator, and focus must keep moving (no trap).
"""

from __future__ import annotations

from mentormemed.mentorships import testing
from mentormemed.testing.factories import TEST_PASSWORD
from tests.e2e.conftest import ARTIFACTS, sign_in

# What has focus, and is its focus indicator visible (an outline or a box-shadow ring)?
FOCUSED = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== "none";
  const box = el.getBoundingClientRect();
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return {text: (el.innerText || label || el.value || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim(),
          tag: el.tagName, id: el.id, visible: outline || ring, inside: box.width > 0 && box.height > 0,
          key: el.tagName + "|" + el.id + "|" + (el.getAttribute("href") || "") + "|" + (el.name || "") +
               "|" + (el.innerText || "").slice(0, 40)};
}"""


def enter_as(page, cast, who) -> None:
    """Signed in as ``who`` through a session cookie (the sign-in form has journeys of its own)."""
    from django.conf import settings  # the page fixture points SITE_URL at the live server

    page.set_default_timeout(30_000)  # a loaded CI machine
    cookie = cast.client_for(who).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": settings.SITE_URL}])


def tab_to(page, predicate, *, limit: int = 120, reverse: bool = False) -> dict:
    """Press Tab until ``predicate(focused)`` holds; every stop on the way shows its focus."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if reverse else "Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["visible"], f"no visible focus on {focused} at {page.url}"
        if predicate(focused):
            return focused
        seen.append(focused["key"])
    raise AssertionError(f"not reached by keyboard on {page.url} after {limit} Tabs; stops: {seen[-15:]}")


def open_menu_item(page, menu: str, item: str) -> None:
    """Open a navigation menu with Enter and follow one of its links, by keyboard."""
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == menu)
    page.keyboard.press("Enter")
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == item, limit=30)
    page.keyboard.press("Enter")


def test_skip_link_is_first_visible_and_moves_focus_to_main(page, cast):
    testing.fully_onboard(cast.mentee)
    enter_as(page, cast, cast.mentee)
    page.goto("/home/")
    page.keyboard.press("Tab")
    skip = page.evaluate(FOCUSED)
    assert skip["text"] == "Skip to main content" and skip["visible"]
    assert page.get_by_role("link", name="Skip to main content").is_visible(), "visible once focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main", "focus moved to the main content"
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.closest('main') !== null")
    assert first, "the next Tab lands inside the main content, past the navigation"


def test_no_keyboard_trap_focus_goes_round_the_whole_page(page, cast):
    """Tab from the top comes back round to the skip link: every control can be left (2.1.2)."""
    testing.fully_onboard(cast.mentee)
    testing.mentor_profile(cast.mentor, areas=("research",))
    enter_as(page, cast, cast.mentee)
    for url in ("/mentors/", "/account/settings/", "/profile/"):
        page.goto(url)
        page.keyboard.press("Tab")
        start = page.evaluate(FOCUSED)["key"]
        stops = []
        for _ in range(400):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused is None:  # the browser's own UI between the last control and the first
                continue
            assert focused["visible"], f"no visible focus on {focused} at {url}"
            if focused["key"] == start:
                break
            stops.append(focused["key"])
            assert stops.count(focused["key"]) < 3, f"focus is stuck on {focused} at {url}"
        else:
            raise AssertionError(f"focus never came back to the top of {url}")
        assert len(stops) > 5, f"only {len(stops)} stops on {url}"


def test_mentee_finds_a_mentor_and_reaches_request_by_keyboard_only(page, cast):
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    mentor = testing.mentor_profile(cast.mentor, areas=("research", "career_advancement"))
    name = cast.mentor.user.display_name
    enter_as(page, cast, cast.mentee)
    page.goto("/home/")
    open_menu_item(page, "Find mentors", "Search")
    page.wait_for_url("**/mentors/")
    tab_to(page, lambda f: f["tag"] == "A" and name in f["text"])
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: f"/mentors/{mentor.pk}/" in url)
    tab_to(page, lambda f: f"Ask {name} to mentor you" in f["text"])
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=f"Ask {name} to mentor you").wait_for()
    tab_to(page, lambda f: f["tag"] == "INPUT" and f["text"] == "Research")
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["tag"] == "TEXTAREA")
    page.keyboard.type("I would like to start a research project before applying to residency.")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Send request")
    page.keyboard.press("Enter")
    page.get_by_text(f"Your request is on its way to {name}.").wait_for()


def test_mentor_answers_a_request_by_keyboard_only(page, cast):
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    mentor = testing.mentor_profile(cast.mentor, areas=("research",))
    testing.pending_request(cast.mentee, mentor)
    mentee_name = cast.mentee.user.display_name
    enter_as(page, cast, cast.mentor)
    page.goto("/home/")
    open_menu_item(page, "Mentoring", "Requests and capacity")
    page.wait_for_url("**/mentorships/inbox/")
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == mentee_name)
    page.keyboard.press("Enter")
    page.wait_for_url("**/mentorships/inbox/*/")
    tab_to(page, lambda f: f["tag"] == "TEXTAREA")
    page.keyboard.type("Happy to help.")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == f"Accept {mentee_name}")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=f"Mentorship with {mentee_name}").wait_for()


def test_admin_reaches_a_report_by_keyboard_only(page, cast):
    from mentormemed.outcomes import rollups

    rollups.refresh()  # what the periodic sweep does
    enter_as(page, cast, cast.admin)
    page.goto("/home/")
    open_menu_item(page, "Reports", "Outcomes")
    page.wait_for_url("**/outcomes/")
    page.get_by_role("heading", level=1).wait_for()
    tab_to(page, lambda f: f["tag"] == "SUMMARY" and f["text"] == "Table of the figures")
    page.keyboard.press("Enter")
    assert page.locator("details[open] table").count() >= 1, "the table of figures opened by keyboard"


# The main page of each role, and pages with wide content (tables, forms, the week grid).
REFLOW_PAGES = {
    "mentee": ["/home/", "/mentors/", "/profile/", "/mentorships/requests/", "/training/", "/my-data/"],
    "mentor": ["/home/", "/mentorships/inbox/", "/meetings/availability/", "/cme/", "/profile/"],
    "admin": ["/home/", "/manage/members/", "/outcomes/", "/outcomes/invoices/", "/manage/data/"],
    "staff": ["/home/", "/staff/institutions/", "/staff/audit/", "/outcomes/national/"],
}


# The deepest elements that stick out past the right edge (outside any scrolling wrapper).
WIDEST = """() => [...document.querySelectorAll('body *')].filter(el => {
  const r = el.getBoundingClientRect();
  return r.right > document.documentElement.clientWidth + 1 && !el.closest('.table-responsive') &&
    ![...el.children].some(c => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1);
}).slice(0, 4).map(el => el.tagName.toLowerCase() + "." + String(el.className).split(" ").join("."))"""


def _member(cast, role):
    return cast.staff if role == "staff" else cast.member(role)


def test_reflow_at_320_px_without_horizontal_scrolling(browser, live_server, cast, settings):
    """WCAG 1.4.10: at 320 CSS px nothing scrolls sideways but what must (data tables, in their own
    focusable region)."""
    settings.SITE_URL = live_server.url
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    testing.mentor_profile(cast.mentor, areas=("research",))
    wide = []
    for role, urls in REFLOW_PAGES.items():
        client = cast.client_for(_member(cast, role))
        context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        for url in urls:
            page.goto(url)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                culprits = page.evaluate(WIDEST)
                wide.append(f"{role} {url}: {overflow}px too wide, e.g. {culprits}")
            unreachable = page.evaluate(
                """() => [...document.querySelectorAll('.table-responsive')]
                  .filter(w => w.scrollWidth > w.clientWidth + 1 && w.tabIndex < 0).length"""
            )
            if unreachable:
                wide.append(f"{role} {url}: {unreachable} scrolling table(s) not reachable by keyboard")
        context.close()
    assert not wide, "\n".join(wide)


def test_reduced_motion_stops_transitions_and_animations(browser, live_server, cast, settings):
    """With "reduce motion" asked of the system, nothing on the page moves for longer than a blink."""
    settings.SITE_URL = live_server.url
    longest = """() => Math.max(0, ...[...document.querySelectorAll('*')].flatMap(el => {
      const s = getComputedStyle(el);
      return [s.transitionDuration, s.animationDuration].flatMap(v => v.split(',')).map(v => parseFloat(v) *
        (v.trim().endsWith('ms') ? 0.001 : 1));
    }))"""
    client = cast.client_for(cast.mentee)
    found = {}
    for motion in ("no-preference", "reduce"):
        context = browser.new_context(base_url=live_server.url, reduced_motion=motion)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.goto("/home/")
        found[motion] = page.evaluate(longest)
        context.close()
    assert found["no-preference"] > 0.05, "the page has transitions to begin with (else this test proves nothing)"
    assert found["reduce"] <= 0.001, f"motion left with reduced motion: {found['reduce']}s"


def test_screenshots_of_key_pages_at_1366_and_390_px(browser, live_server, cast, settings):
    """Pictures for a person to look at (test-artifacts/a11y-*.png); the page must fit each width."""
    settings.SITE_URL = live_server.url
    testing.fully_onboard(cast.mentee)
    mentor = testing.mentor_profile(cast.mentor, areas=("research",))
    ARTIFACTS.mkdir(exist_ok=True)
    shots = {"mentee": ["/home/", "/mentors/", f"/mentors/{mentor.pk}/"], "admin": ["/outcomes/", "/manage/members/"]}
    for width in (1366, 390):
        for role, urls in shots.items():
            client = cast.client_for(_member(cast, role))
            context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
            context.add_cookies(
                [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
            )
            page = context.new_page()
            for url in urls:
                page.goto(url)
                page.wait_for_load_state("networkidle")  # charts and fonts settled before measuring
                slug = url.strip("/").replace("/", "-") or "root"
                page.screenshot(path=str(ARTIFACTS / f"a11y-{width}-{role}-{slug}.png"), full_page=True)
                wide = page.evaluate(
                    """w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w)
                      .map(e => e.tagName + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right))
                      .slice(0, 5)""",
                    width,
                )
                assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{url} at {width}px: {wide}"
            context.close()


def test_the_bell_is_a_24px_target_even_before_the_icon_font_loads(page, cast):
    """WCAG 2.5.8: the icon-only bell link keeps its size when the icon font is late or blocked
    (axe once measured it in that moment, when the glyph is zero wide)."""
    page.route("**/bootstrap-icons*.woff*", lambda route: route.abort())
    sign_in(page, "mentee@alpha.edu", TEST_PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/home/")
    box = page.locator("a.nav-bell").bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24, box
