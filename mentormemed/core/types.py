"""Types shared by every app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from mentormemed.core.access import Actor
else:  # django-stubs-ext is a development dependency; at run time a lazy string is a Promise
    from django.utils.functional import Promise as StrPromise

# Text shown to people: a plain string or a lazily translated one (``gettext_lazy``).
Text: TypeAlias = str | StrPromise

# A JSON object as stored in a JSONField or sent to a template as data (audit details, search
# filters, answers): its values really are arbitrary JSON, so ``Any`` is the honest type.
JSONDict: TypeAlias = dict[str, Any]

# Plain model field values by field name (a form's ``cleaned_data``), which a service sets with
# ``setattr``: each value has its own field's type, which no one annotation can name.
FieldValues: TypeAlias = dict[str, Any]


class ActorRequest(HttpRequest):
    """A request after ``ActingMembershipMiddleware``: it carries the acting principal.

    For annotations only (views, panels, cards): Django builds the request, nothing makes one of these.
    """

    actor: Actor
