"""The product's date styles, one definition per language (``FORMAT_MODULE_PATH``; issue 19).

Templates name a style, never a pattern: ``{{ day|date:"MEDIUM_DATE_FORMAT" }}`` is "Dec 3, 2026" in
English and "3 dic 2026" in Spanish. ``django.utils.formats.get_format`` reads the name from the
active language's module here (then Django's own locale module), so a style missing from a
language would be printed as a pattern of letters: ``STYLES`` lists the product's own names and
``core/tests/test_dates.py`` checks that every language in ``settings.LANGUAGES`` defines each.

Django's names keep Django's meaning: ``DATE_FORMAT`` ("Dec. 3, 2026" / "3 de diciembre de 2026"),
``MONTH_DAY_FORMAT`` ("December 3" / "3 de diciembre"), ``YEAR_MONTH_FORMAT``, ``TIME_FORMAT``
("4:30 PM" / "16:30"). Weekday-and-time phrases in the flow of a sentence use the ``when`` and
``clock`` filters (``core/dates.py``). Machine formats (``c``, ``Y-m-d``, ``Y-m-d H:i``) stay
patterns: they read the same in every language.
"""

STYLES = (
    "MEDIUM_DATE_FORMAT",
    "LONG_DATE_FORMAT",
    "SHORT_MONTH_DAY_FORMAT",
    "SHORT_YEAR_MONTH_FORMAT",
    "SHORT_MONTH_FORMAT",
    "WEEKDAY_DATE_FORMAT",
    "SHORT_WEEKDAY_DATE_FORMAT",
    "SHORT_WEEKDAY_MONTH_DAY_FORMAT",
    "STAMP_FORMAT",
    "MEDIUM_DATETIME_FORMAT",
    "MONTH_DAY_TIME_FORMAT",
    "WEEKDAY_DATETIME_FORMAT",
    "SHORT_WEEKDAY_DATETIME_FORMAT",
)
"""The product's own style names (beyond Django's), each defined in every language's module."""
