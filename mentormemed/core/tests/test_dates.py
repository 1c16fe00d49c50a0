"""Issue 19: dates on pages are written in the reader's language — each date style is defined once per
language (``mentormemed/core/formats``) and templates and page code name a style, never a pattern, so
a Spanish page reads "3 dic 2026" or "3 de diciembre de 2026", never "dic. 3, 2026"."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from mentormemed.core.formats import STYLES
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import Message
from mentormemed.scheduling import testing as st

ROOT = Path(settings.BASE_DIR) / "mentormemed"
DJANGO_NAMES = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
}
NAMED = DJANGO_NAMES | set(STYLES)
MACHINE = {"c", "Y-m-d", "Y-m-d H:i", "Y-m-d H:i:s"}
"""Formats a program reads, or an ISO stamp on a staff page: the same in every language."""
NEUTRAL = {"F", "l", "T"}
"""A single part with no order to get wrong: a month or weekday name (translated), a zone. Not "H:i": a
time of day reads in the locale's ``TIME_FORMAT`` ("4:30 PM" / "16:30"), the ``clock`` filter or ``day(…,
"TIME_FORMAT")`` (issue 19: event e-mails and rotations read "16:30" to English readers)."""
ALLOWED = NAMED | MACHINE | NEUTRAL
FORMAT_ARG = re.compile(r"""\|(?:date|time):(?:"([^"]*)"|'([^']*)')""")
ES_MONTHS = [
    *("enero", "febrero", "marzo", "abril", "mayo", "junio"),
    *("julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"),
]
ES_ABBR = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]
MONTH_FIRST = re.compile(rf"\b({'|'.join(ES_MONTHS + ES_ABBR)}|sept)\.? \d{{1,2}}(?!\d)")
"""A Spanish month before the day ("dic. 3", "diciembre 3"): an English order."""
ES_WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


def _templates():
    return sorted(p for p in ROOT.rglob("templates/**/*") if p.suffix in (".html", ".txt") and p.is_file())


def test_r19_no_template_writes_a_date_in_a_fixed_order():
    """Every ``|date:``/``|time:`` argument in a template is a named style (or a machine format)."""
    offenders = []
    for path in _templates():
        for line_no, line in enumerate(path.read_text().splitlines(), 1):
            for double, single in FORMAT_ARG.findall(line):
                fmt = double or single
                if fmt not in ALLOWED:
                    offenders.append(f"{path.relative_to(ROOT)}:{line_no}: {fmt!r}")
    assert not offenders, "name a style from core/formats instead of a pattern:\n" + "\n".join(offenders)


def _python_sources():
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path


ENGLISH_ONLY = re.compile(r"%-?[aAbBpI]")  # strftime's weekday and month names, 12-hour clock: always English
CLOCK_ONLY = {"%H:%M"}  # a time of day for a reader: the locale's TIME_FORMAT (core.dates.clock, clock_span)
TYPED_BACK = {"scheduling/forms.py"}  # the week's windows as the mentor types them ("09:00-12:00"), parsed back


def _fixed_patterns(node: ast.AST) -> list[str]:
    """A fixed date pattern at ``node``: a ``date_format``/``time_format``/``day`` call with a pattern
    instead of a style, a strftime or f-string format writing English names or a 12-hour clock."""
    if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
        spec = "".join(str(v.value) for v in node.format_spec.values if isinstance(v, ast.Constant))
        return [f"f-string {{…:{spec}}}"] if ENGLISH_ONLY.search(spec) or spec in CLOCK_ONLY else []
    if not isinstance(node, ast.Call):
        return []
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    literals = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if name in {"date_format", "time_format", "day"} and len(node.args) >= 2:
        arg = node.args[1]
        fmt = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
        if fmt is not None and fmt not in ALLOWED and not fmt.startswith("when:"):
            return [f"{name}({fmt!r})"]
    if name == "strftime" and literals and ENGLISH_ONLY.search(literals[0]):
        return [f"strftime({literals[0]!r})"]
    return []


def test_r19_no_page_code_formats_a_date_with_a_fixed_pattern():
    """``date_format``/``time_format``/``day`` take a named style; no strftime writes English names."""
    offenders = [
        f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}: {found}"
        for path in _python_sources()
        if str(path.relative_to(ROOT)) not in TYPED_BACK
        for node in ast.walk(ast.parse(path.read_text()))
        for found in _fixed_patterns(node)
    ]
    assert not offenders, "use date_format with a style from core/formats:\n" + "\n".join(offenders)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_r19_every_style_is_defined_in_every_language(language):
    """A style missing from a language would print its name's letters as a pattern ("MEDIUM…" → "Dec…")."""
    module = importlib.import_module(f"mentormemed.core.formats.{language}.formats")
    missing = [name for name in STYLES if not isinstance(getattr(module, name, None), str)]
    assert not missing, f"{language} lacks {missing}"
    assert settings.FORMAT_MODULE_PATH == ["mentormemed.core.formats"]


def test_r19_styles_read_day_first_in_spanish_and_as_before_in_english():
    at = dt.datetime(2026, 12, 3, 14, 30)  # a Thursday
    with translation.override("en"):
        english = {name: date_format(at, name) for name in STYLES}
    with translation.override("es"):
        spanish = {name: date_format(at, name) for name in STYLES}
    assert english["MEDIUM_DATE_FORMAT"] == "Dec 3, 2026" and spanish["MEDIUM_DATE_FORMAT"] == "3 dic 2026"
    assert english["LONG_DATE_FORMAT"] == "December 3, 2026"
    assert spanish["LONG_DATE_FORMAT"] == "3 de diciembre de 2026"
    assert english["SHORT_MONTH_DAY_FORMAT"] == "Dec 3" and spanish["SHORT_MONTH_DAY_FORMAT"] == "3 dic"
    assert english["STAMP_FORMAT"] == "Dec. 3, 2026, 14:30"
    assert spanish["STAMP_FORMAT"] == "3 de diciembre de 2026, 14:30"
    assert english["MONTH_DAY_TIME_FORMAT"] == "Dec 3, 2:30 PM" and spanish["MONTH_DAY_TIME_FORMAT"] == "3 dic, 14:30"
    assert spanish["WEEKDAY_DATE_FORMAT"] == "jueves, 3 de diciembre de 2026"
    # An event's time reads on the reader's clock, as its e-mail does (issue 19).
    assert english["WEEKDAY_DATETIME_FORMAT"] == "Thursday, December 3, 2026, 2:30 PM"
    assert spanish["WEEKDAY_DATETIME_FORMAT"] == "jueves, 3 de diciembre de 2026, 14:30"
    assert english["SHORT_WEEKDAY_DATETIME_FORMAT"] == "Thu Dec 3, 2:30 PM"
    assert spanish["SHORT_WEEKDAY_DATETIME_FORMAT"] == "jue 3 dic, 14:30"
    for name, text in spanish.items():
        assert not MONTH_FIRST.search(text), f"{name} puts the month before the day: {text}"
        assert "PM" not in text and "AM" not in text, name


# ------------------------------------------------------------------ real pages, Spanish and English


def _speaks(user, language: str) -> None:
    user.language = language
    user.time_zone = "UTC"
    user.save(update_fields=["language", "time_zone"])


@pytest.fixture
def pair(cast):
    mt.fully_onboard(cast.mentee)
    mt.fully_onboard(cast.mentor)
    started = dt.datetime(2025, 12, 3, 12, 0, tzinfo=dt.UTC)
    rel = mt.relationship(cast.mentee, mt.mentor_profile(cast.mentor), started_at=started)
    Message.objects.create(
        relationship=rel,
        sender=cast.mentor.user,
        body="Hola",
        created_at=dt.datetime(2025, 12, 3, 14, 30, tzinfo=dt.UTC),
    )
    meeting = st.meeting(
        rel, starts_at=timezone.now().replace(hour=16, minute=30, second=0, microsecond=0) + dt.timedelta(days=3)
    )
    return rel, meeting


def test_r19_a_spanish_mentees_pages_read_day_first(cast, pair):
    rel, meeting = pair
    _speaks(cast.mentee.user, "es")
    client = cast.client_for(cast.mentee)
    mentors = client.get(reverse("mentorships:relationships")).content.decode()
    assert "desde el 3 dic 2025" in mentors and "dic 3" not in mentors
    page = client.get(reverse("mentorships:relationship", args=[rel.pk])).content.decode()
    assert "3 dic, 14:30" in page, "the message's time"
    local = meeting.starts_at
    upcoming = f"{ES_WEEKDAYS[local.weekday()]}, {local.day} de {ES_MONTHS[local.month - 1]}, 16:30 UTC"
    assert upcoming in page, "the upcoming meeting"
    shown = client.get(reverse("scheduling:meeting", args=[meeting.pk])).content.decode()
    assert (
        f"{ES_WEEKDAYS[local.weekday()]}, {local.day} de {ES_MONTHS[local.month - 1]} de {local.year} · 16:30" in shown
    )
    for text in (mentors, page, shown):
        assert not MONTH_FIRST.search(text), MONTH_FIRST.search(text)
        assert not re.search(r"\d PM\b|\d AM\b", text)


def test_r19_the_same_pages_in_english_read_as_before(cast, pair):
    rel, meeting = pair
    _speaks(cast.mentee.user, "en")
    client = cast.client_for(cast.mentee)
    assert "since Dec 3, 2025" in client.get(reverse("mentorships:relationships")).content.decode()
    page = client.get(reverse("mentorships:relationship", args=[rel.pk])).content.decode()
    local = meeting.starts_at
    assert "Dec 3, 2:30 PM" in page
    assert f"{local:%A}, {local:%B} {local.day}, 4:30 PM UTC" in page
    shown = client.get(reverse("scheduling:meeting", args=[meeting.pk])).content.decode()
    assert f"{local:%A}, {local:%B} {local.day}, {local.year} · 4:30 PM" in shown


def test_r19_an_admins_pages_read_day_first_in_spanish(cast):
    expires = cast.invitation.expires_at.astimezone(dt.UTC)
    _speaks(cast.admin.user, "es")
    page = cast.client_for(cast.admin).get(reverse("institutions:members")).content.decode()
    assert f"vence el {expires.day} {ES_ABBR[expires.month - 1]}<" in page, "the open invitation's expiry"
    _speaks(cast.admin.user, "en")
    page = cast.client_for(cast.admin).get(reverse("institutions:members")).content.decode()
    assert f"expires {expires:%b} {expires.day}<" in page
