"""``{{ mentor|responsiveness }}``: the one wording of a mentor's responsiveness (R13), on every page."""

from __future__ import annotations

from django import template

from mentormemed.profiles import responsiveness as definition

register = template.Library()


@register.filter(name="responsiveness")
def responsiveness_text(obj) -> str:
    """'usually answers within 2 days (96% of requests answered)' or 'new mentor: …'."""
    return definition.wording(definition.of(obj))


@register.simple_tag
def responsiveness_of(obj) -> definition.Responsiveness:
    """The figures themselves, for a page that explains them (the mentor's own inbox)."""
    return definition.of(obj)
