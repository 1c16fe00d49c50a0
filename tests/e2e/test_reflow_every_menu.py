"""Every page in every role's menu fits a phone (390 px): nothing widens the page so that it scrolls
sideways — tables scroll inside their own container, forms and cards wrap (issue 11, WCAG 1.4.10)."""

from __future__ import annotations

import pytest

from mentormemed.mentorships.testing import matrix_mentor, relationship
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET
from tests.e2e.conftest import sign_in

PHONE = {"width": 390, "height": 844}
MENU_LINKS = "nav a[href^='/']:not([href*='logout'])"


def _menu_pages(page) -> list[str]:
    return list(dict.fromkeys(page.eval_on_selector_all(MENU_LINKS, "els => els.map(e => e.getAttribute('href'))")))


def _too_wide(page, path: str) -> str | None:
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    return f"{path}: {width} px" if width > PHONE["width"] else None


@pytest.mark.parametrize("role", ["mentee", "mentor", "admin", "staff"])
def test_every_menu_page_fits_390_px(page, cast, role):
    relationship(cast.mentee, matrix_mentor(cast))  # tables with rows
    user = {"mentee": cast.mentee.user, "mentor": cast.mentor.user, "admin": cast.admin.user, "staff": cast.staff}[role]
    page.set_viewport_size(PHONE)
    sign_in(page, user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET if role in ("admin", "staff") else None)
    pages = _menu_pages(page)
    assert len(pages) >= 5, pages
    wide = [found for path in pages if (found := _too_wide(page, path))]
    assert not wide, f"pages wider than the phone: {wide}"


@pytest.mark.parametrize("role", ["mentee", "mentor", "admin", "staff"])
def test_menu_fits_every_desktop_width_whatever_the_name(page, cast, role):
    """The expanded menu (992 px and up) wraps rather than widening the page, even for a long name
    and the role switcher (a random short name once hid this: CI saw 1376 px at 1366)."""
    user = {"mentee": cast.mentee.user, "mentor": cast.mentor.user, "admin": cast.admin.user, "staff": cast.staff}[role]
    user.first_name, user.last_name = "Maximiliana-Guadalupe", "Oyelaran-Vanderberg-Castellanos"
    user.save(update_fields=["first_name", "last_name"])
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET if role in ("admin", "staff") else None)
    wide = []
    for width in (992, 1100, 1200, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/home/", "/outcomes/" if role in ("admin", "staff") else "/home/"):
            page.goto(path)
            if (scroll := page.evaluate("document.documentElement.scrollWidth")) > width:
                wide.append(f"{path} at {width}: {scroll} px")
    assert not wide, wide
