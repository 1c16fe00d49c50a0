"""The facet panel, rendered in Python: a national search shows hundreds of values and the
template engine would spend more time on them than the database spends counting."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify

register = template.Library()


@lru_cache(maxsize=4096)
def _value_parts(key: str, label: str) -> tuple[str, str, str]:
    """Escaped value, element id and escaped label of one facet value (the same on every page)."""
    return escape(key), f"f-{slugify(key.replace(':', '-'))}", escape(label)


@register.simple_tag
def facet_panel(groups) -> str:
    parts = []
    for index, group in enumerate(groups):
        is_open = index == 0 or any(v.selected for v in group.values)
        label = escape(group.label)
        parts.append(
            f'<details class="mb-2"{" open" if is_open else ""}><summary class="fw-semibold">{label}</summary>'
            f'<fieldset class="facet-list"><legend class="visually-hidden">{label}</legend>'
        )
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
