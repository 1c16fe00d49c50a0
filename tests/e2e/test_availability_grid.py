"""R17: a mentor sets weekly availability on a visual week grid — click, drag, keyboard — over the
plain text fields (which still work without JavaScript), and takes a range of dates off."""

from __future__ import annotations

import datetime as dt

from mentormemed.mentorships.testing import mentor_profile
from mentormemed.scheduling.models import DateOff, Window
from mentormemed.scheduling.testing import weekday_availability
from mentormemed.testing.factories import TEST_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in


def _block(page, day: str, start: str, end: str):
    return page.get_by_role("button", name=f"{day} {start} to {end}", exact=True)


def _windows(availability, weekday: int) -> list[tuple[str, str]]:
    return [
        (f"{w.start:%H:%M}", f"{w.end:%H:%M}")
        for w in Window.objects.filter(availability=availability, weekday=weekday)
    ]


def test_r17_week_grid_click_drag_and_keyboard(page, cast):
    profile = mentor_profile(cast.mentor, scope="local")
    availability = weekday_availability(profile, windows=[(0, dt.time(9), dt.time(10))])
    sign_in(page, cast.mentor.user.email, TEST_PASSWORD)
    page.goto("/meetings/availability/")
    grid = page.get_by_role("grid", name="Weekly availability in half-hour blocks; a pressed block is available")
    grid.wait_for()
    assert _block(page, "Monday", "09:00", "09:30").get_attribute("aria-pressed") == "true"
    assert not page.get_by_label("Monday windows").is_visible()  # the text fields fold behind the grid
    assert_accessible(page, context="availability week grid")

    # Click one block on Tuesday; drag across Wednesday 14:00–16:00.
    _block(page, "Tuesday", "07:00", "07:30").click()
    _block(page, "Wednesday", "16:00", "16:30").scroll_into_view_if_needed()
    start = _block(page, "Wednesday", "14:00", "14:30").bounding_box()
    end = _block(page, "Wednesday", "15:30", "16:00").bounding_box()
    page.mouse.move(start["x"] + 5, start["y"] + 5)
    page.mouse.down()
    page.mouse.move(end["x"] + 5, end["y"] + 5, steps=8)
    page.mouse.up()
    # Keyboard: from Monday 09:00, Shift+Down extends to 10:00–10:30; Space clears 09:00–09:30 on Thursday.
    _block(page, "Monday", "09:30", "10:00").focus()
    page.keyboard.press("Shift+ArrowDown")
    _block(page, "Thursday", "09:00", "09:30").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Space")  # toggled on, then off again: Thursday stays free
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # Friday 09:00–09:30 on

    page.get_by_text("Type the times instead").click()
    assert page.get_by_label("Wednesday windows").input_value() == "14:00-16:00"
    assert page.get_by_label("Monday windows").input_value() == "09:00-10:30"
    page.get_by_role("button", name="Save availability").click()
    page.get_by_text("Availability saved").wait_for()
    assert _windows(availability, 0) == [("09:00", "10:30")]
    assert _windows(availability, 1) == [("07:00", "07:30")]
    assert _windows(availability, 2) == [("14:00", "16:00")]
    assert _windows(availability, 3) == []
    assert _windows(availability, 4) == [("09:00", "09:30")]
    # Typing in a text field redraws the grid.
    page.get_by_text("Type the times instead").click()
    page.get_by_label("Sunday windows").fill("18:00-19:00")
    assert _block(page, "Sunday", "18:30", "19:00").get_attribute("aria-pressed") == "true"

    # At phone width the grid still fits and the page stays usable.
    page.set_viewport_size({"width": 390, "height": 844})
    box = grid.bounding_box()
    assert box["width"] <= 390
    assert_accessible(page, context="availability week grid at 390 px")


def test_r17_without_javascript_the_text_fields_are_the_form(browser, live_server, cast):
    profile = mentor_profile(cast.mentor, scope="local")
    availability = weekday_availability(profile, windows=[(0, dt.time(9), dt.time(10))])
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, cast.mentor.user.email, TEST_PASSWORD)
    page.goto("/meetings/availability/")
    assert page.get_by_role("grid").count() == 0
    page.get_by_label("Tuesday windows").fill("08:00-09:00")
    page.get_by_role("button", name="Save availability").click()
    page.get_by_text("Availability saved").wait_for()
    assert _windows(availability, 1) == [("08:00", "09:00")]
    context.close()


def test_r17_a_range_of_dates_off(page, cast):
    profile = mentor_profile(cast.mentor, scope="local")
    availability = weekday_availability(profile, windows=[(0, dt.time(9), dt.time(10))])
    sign_in(page, cast.mentor.user.email, TEST_PASSWORD)
    page.goto("/meetings/availability/")
    first = dt.date.today() + dt.timedelta(days=20)
    last = first + dt.timedelta(days=9)
    page.get_by_label("First day off").fill(first.isoformat())
    page.get_by_label("Last day off").fill(last.isoformat())
    page.get_by_label("Note (only you see it)").fill("Winter break")
    page.get_by_role("button", name="Add dates off").click()
    page.get_by_text("(10 days) are now off").wait_for()
    assert DateOff.objects.filter(availability=availability).count() == 10
    page.get_by_text("(10 days)", exact=True).wait_for()  # shown as one line, not ten
    assert_accessible(page, context="dates off range")
    page.get_by_role("button", name=f"Remove {first:%B} {first.day} to {last:%B} {last.day}").click()
    page.get_by_text("10 dates off removed.").wait_for()
    assert not DateOff.objects.exists()
