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
