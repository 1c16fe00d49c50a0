"""Journey (issue 6, R17): the mentor sets availability, the mentee books, both see the meeting, the mentee cancels."""

from __future__ import annotations

import icalendar
from django.core import mail

from mentormemed.mentorships.testing import mentor_profile, relationship
from mentormemed.scheduling.models import Meeting
from mentormemed.testing.factories import TEST_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in


def calendar_methods(messages) -> list[str]:
    methods = []
    for message in messages:
        for part in message.message().walk():
            if part.get_content_type() == "text/calendar":
                methods.append(str(icalendar.Calendar.from_ical(part.get_payload(decode=True))["METHOD"]))
    return methods


def test_r17_mentor_sets_availability_mentee_books_both_see_it_mentee_cancels(page, cast):
    rel = relationship(cast.mentee, mentor_profile(cast.mentor, scope="local"))
    mentee_name, mentor_name = cast.mentee.user.display_name, cast.mentor.user.display_name

    # The mentor publishes weekday windows.
    sign_in(page, "mentor@alpha.edu", TEST_PASSWORD)
    page.get_by_role("button", name="Mentoring").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Availability").click()
    page.get_by_role("heading", name="Availability", exact=True).wait_for()
    assert_accessible(page, context="availability form")
    page.get_by_text("Type the times instead").click()  # the text fields behind the week grid
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(f"{day} windows").fill("09:00-12:00, 14:00-17:00")
    page.get_by_label("Minimum notice (hours)").fill("12")
    page.get_by_role("button", name="Save availability").click()
    page.get_by_text("Availability saved").wait_for()
    page.context.clear_cookies()

    # The mentee books the first free time with an agenda.
    sign_in(page, "mentee@alpha.edu", TEST_PASSWORD)
    page.get_by_role("link", name="Meetings", exact=True).click()
    assert_accessible(page, context="mentee meetings page")
    page.get_by_role("link", name=f"Book a meeting with {mentor_name}").click()
    page.get_by_role("heading", name=f"Book a meeting with {mentor_name}").wait_for()
    assert_accessible(page, context="booking page")
    page.locator("label.btn[for^=slot-]").first.click()
    page.get_by_label("Agenda").fill("Residency applications: who should write my letters?")
    page.get_by_role("button", name="Book this time").click()
    page.get_by_text("Meeting booked.").wait_for()
    assert_accessible(page, context="meeting page")
    meeting = Meeting.objects.get(relationship=rel)
    assert meeting.status == "scheduled" and meeting.agenda.startswith("Residency applications")
    assert sorted(m.to[0] for m in mail.outbox[-2:]) == ["mentee@alpha.edu", "mentor@alpha.edu"]
    assert calendar_methods(mail.outbox[-2:]) == ["REQUEST", "REQUEST"]
    page.context.clear_cookies()

    # The mentor sees it among their upcoming meetings and on the home page.
    sign_in(page, "mentor@alpha.edu", TEST_PASSWORD)
    page.get_by_role("link", name="Meetings", exact=True).click()
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    upcoming.get_by_role("link", name=f"Meeting with {mentee_name}").wait_for()
    assert_accessible(page, context="mentor meetings page")
    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name=mentee_name).first.wait_for()
    page.context.clear_cookies()

    # The mentee cancels; both get METHOD:CANCEL.
    sign_in(page, "mentee@alpha.edu", TEST_PASSWORD)
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_label("Reason, sent to both of you").fill("My exam moved")
    page.get_by_role("button", name="Cancel the meeting").click()
    page.get_by_text("Meeting cancelled.").wait_for()
    assert_accessible(page, context="cancelled meeting page")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("cancelled", 1)
    assert calendar_methods(mail.outbox[-2:]) == ["CANCEL", "CANCEL"]
