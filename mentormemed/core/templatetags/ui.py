"""Small template helpers for accessible Bootstrap forms and local times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import cast

from django import template
from django.forms import BoundField, ChoiceField
from django.forms.boundfield import BoundWidget
from django.utils.safestring import SafeString

from mentormemed.core import dates

register = template.Library()

SELECT_WIDGETS = {"select", "selectmultiple", "nullbooleanselect"}


def _choices(field: BoundField) -> list[tuple[object, object]]:
    """The choices of a radio or checkbox field (only choice fields render those widgets)."""
    choices = cast(ChoiceField, field.field).choices  # the field normalised them to (value, label) pairs
    return list(cast("Iterable[tuple[object, object]]", choices))


@register.filter
def bs_widget(field: BoundField) -> SafeString:
    """Render a field's widget with Bootstrap classes and its help/error description linked."""
    css = "form-select" if field.widget_type in SELECT_WIDGETS else "form-control"
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": css}
    if field.help_text or field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def bs_choice(choice: BoundWidget) -> SafeString:
    """Render one radio or checkbox of a choice field with Bootstrap's ``form-check-input`` class."""
    attrs = dict(choice.data.get("attrs") or {})
    classes = attrs.get("class", "").split()
    if "form-check-input" not in classes:
        attrs["class"] = " ".join([*classes, "form-check-input"])
    choice.data = {**choice.data, "attrs": attrs}
    return choice.tag(wrap_label=False)


@register.filter
def short_choices(field: BoundField) -> bool:
    """True for a radio group of a few short answers, which reads best on one line."""
    if field.widget_type != "radioselect":
        return False
    labels = [str(label) for _, label in _choices(field)]
    return len(labels) <= 5 and all(len(label) <= 16 for label in labels)


@register.filter
def choice_layout(field: BoundField) -> str:
    """CSS class for a checkbox list: long lists scroll in a box, middling ones use two columns."""
    if field.widget_type != "checkboxselectmultiple":
        return ""
    n = len(_choices(field))
    return "choice-scroll" if n > 40 else "choice-columns" if n > 10 else ""


@register.filter
def ticked_labels(field: BoundField) -> list[str]:
    """The labels of the ticked choices, to show what a scrolled list holds."""
    return [str(choice.choice_label) for choice in field if choice.data.get("selected")]


@register.filter(expects_localtime=True, is_safe=False)
def when(value: dt.date | dt.datetime | None, flags: str = "") -> str:
    """A date in the reader's language from the locale's formats (``core.dates.when``):
    ``{{ starts_at|when:"weekday,time,zone" }}`` is "Monday, March 5, 4:30 PM EST" or "lunes, 5 de marzo, 16:30 EST"."""
    if not value:  # None, or "" for a missing variable
        return ""
    return dates.when(value, flags)


@register.filter(expects_localtime=True, is_safe=False)
def clock(value: dt.datetime | None, flags: str = "") -> str:
    """The time of day in the locale's format ("4:30 PM" / "16:30"); ``clock:"zone"`` adds the zone."""
    if not value:
        return ""
    return dates.clock(value, flags)
