"""Types shared by every app."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise
else:  # django-stubs-ext is a development dependency; at run time a lazy string is a Promise
    from django.utils.functional import Promise as StrPromise

# Text shown to people: a plain string or a lazily translated one (``gettext_lazy``).
Text: TypeAlias = str | StrPromise
