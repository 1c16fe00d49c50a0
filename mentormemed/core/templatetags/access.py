"""Templates ask the acting principal what it may do: ``{% if actor|can:"outcomes.institution" %}``.

Django templates cannot call a method with an argument, so ``Actor.can`` is offered as a filter.
Templates never compare role strings; a choice that depends on the side a person takes part on
asks for the permission that side holds (``side.mentee``, ``side.mentor``, ``side.staff``).
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def can(actor: Any, perm: str) -> bool:
    """Whether ``actor`` holds the named permission (False for no actor, e.g. an error page)."""
    return bool(actor is not None and hasattr(actor, "can") and actor.can(perm))
