"""``{% cards "place" obj %}`` renders every card registered for that place (core.cards)."""

from __future__ import annotations

from typing import cast

from django import template
from django.template.context import Context
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from mentormemed.core.cards import cards_for
from mentormemed.core.types import ActorRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def cards(context: Context, place: str, obj: object) -> SafeString:
    # Pages with a place for cards are rendered by views, so the context holds the request.
    request = cast(ActorRequest, context.get("request"))
    html = [
        render_to_string(c.template, {**c.context, "request": request, "user": context.get("user")}, request=request)
        for c in cards_for(place, request, obj)
    ]
    from django.utils.safestring import mark_safe

    return mark_safe("".join(html))  # noqa: S308 — rendered templates, autoescaped
