"""The facet panel, rendered in Python: a national search shows hundreds of values and the
template engine would spend more time on them than the database spends counting."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext

from mentormemed.matching.search import AREA_MODES

register = template.Library()


@lru_cache(maxsize=4096)
def _value_parts(key: str, label: str) -> tuple[str, str, str]:
    """Escaped value, element id and escaped label of one facet value (the same on every page)."""
    return escape(key), f"f-{slugify(key.replace(':', '-'))}", escape(label)


def _area_mode(mode: str) -> str:
    """The AND/OR choice for several areas of need, at the top of the "Offers help with" group."""
    options = "".join(
        f'<div class="form-check"><input class="form-check-input" type="radio" name="areas" value="{value}" '
        f'id="areas-{value}"{" checked" if value == mode else ""}>'
        f'<label class="form-check-label" for="areas-{value}">{escape(label)}</label></div>'
        for value, label in AREA_MODES.items()
    )
    return (
        '<fieldset class="border-bottom pb-2 mb-2"><legend class="small fw-semibold mb-1">'
        + escape(gettext("With several areas, show mentors who"))
        + "</legend>"
        + options
        + "</fieldset>"
    )


@register.simple_tag
def facet_panel(groups, areas_mode: str = "all") -> str:
    parts = []
    for index, group in enumerate(groups):
        is_open = index == 0 or any(v.selected for v in group.values)
        label = escape(group.label)
        parts.append(
            f'<details class="mb-2"{" open" if is_open else ""}><summary class="fw-semibold">{label}</summary>'
            f'<fieldset class="facet-list"><legend class="visually-hidden">{label}</legend>'
        )
        if group.key == "area":
            parts.append(_area_mode(areas_mode))
        for v in group.values:
            value, ident, value_label = _value_parts(v.key, v.label)
            checked = " checked" if v.selected else ""
            disabled = " disabled" if not v.count and not v.selected else ""
            parts.append(
                f'<div class="form-check"><input class="form-check-input" type="checkbox" name="f" '
                f'value="{value}" id="{ident}"{checked}{disabled}>'
                f'<label class="form-check-label" for="{ident}">{value_label} '
                f'<span class="badge text-bg-light">{int(v.count)}</span></label></div>'
            )
        parts.append("</fieldset></details>")
    return mark_safe("".join(parts))  # every interpolated value above is escaped (or an int)
