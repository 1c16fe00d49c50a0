"""English date styles (``mentormemed/core/formats/__init__.py`` lists them; Spanish in ``es``).

Each reads as the pages always have. Times read "4:30 PM", as the meeting pages and invites always
have, rather than Django's "4:30 p.m."; events, sessions and circle meetings too (their pages and
e-mails read one clock). Record stamps keep the 24-hour clock they were shown with.
"""

TIME_FORMAT = "g:i A"  # 4:30 PM

MEDIUM_DATE_FORMAT = "M j, Y"  # Dec 3, 2026
LONG_DATE_FORMAT = "F j, Y"  # December 3, 2026
SHORT_MONTH_DAY_FORMAT = "M j"  # Dec 3
SHORT_YEAR_MONTH_FORMAT = "M Y"  # Dec 2026
SHORT_MONTH_FORMAT = "M"  # Dec — the first month of "Oct–Dec 2026"
WEEKDAY_DATE_FORMAT = "l, F j, Y"  # Thursday, December 3, 2026
SHORT_WEEKDAY_DATE_FORMAT = "D, M j, Y"  # Thu, Dec 3, 2026
SHORT_WEEKDAY_MONTH_DAY_FORMAT = "D, M j"  # Thu, Dec 3

STAMP_FORMAT = "N j, Y, H:i"  # Dec. 3, 2026, 14:30 — when a record was made (uploaded, requested, erased)
MEDIUM_DATETIME_FORMAT = "M j, Y, g:i A"  # Dec 3, 2026, 2:30 PM
MONTH_DAY_TIME_FORMAT = "M j, g:i A"  # Dec 3, 2:30 PM — a message, a deadline this week
WEEKDAY_DATETIME_FORMAT = "l, F j, Y, g:i A"  # Thursday, December 3, 2026, 2:30 PM — an event
SHORT_WEEKDAY_DATETIME_FORMAT = "D M j, g:i A"  # Thu Dec 3, 2:30 PM — a group session, a circle meeting
