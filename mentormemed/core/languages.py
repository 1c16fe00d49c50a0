"""The languages authored content is written and translated in (issue 19, languages).

Staff write training modules and instruments in the site's source language (English,
``settings.LANGUAGE_CODE``); translations are offered for every other language of
``settings.LANGUAGES``. A reader's language is the request's (``LocaleMiddleware`` has
already applied ``User.language``), reduced to one of those codes.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def source_language() -> str:
    """The language authored content is written in."""
    return str(settings.LANGUAGE_CODE).split("-")[0]


def translation_languages() -> list[tuple[str, str]]:
    """(code, name) of every site language a translation can be written in."""
    return [(code, str(name)) for code, name in settings.LANGUAGES if code != source_language()]


def translation_codes() -> list[str]:
    return [code for code, _ in translation_languages()]


def language_name(code: str) -> str:
    """The language's name in its own words ("Español"), as ``settings.LANGUAGES`` spells it."""
    return str(dict(settings.LANGUAGES).get(code, code))


def reader_language(code: str | None = None) -> str:
    """One of the site's language codes for ``code`` (default: the active language): "es-mx" → "es"."""
    code = (code or translation.get_language() or source_language()).lower()
    known = dict(settings.LANGUAGES)
    if code in known:
        return code
    base = code.split("-")[0]
    return base if base in known else source_language()
