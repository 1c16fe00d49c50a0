"""What staff translations of versioned texts share: saving one, listing them, the page (issue 19, languages).

Training modules and evaluation instruments are both written in English and translated by staff,
one translation per published version and language (``core.models.VersionTranslation``). Each
app keeps what is its own — which version may be translated, what must be translated, the form,
the wording of its page — and calls these for the rest:

- ``require_translation_language`` and ``save_version_translation`` inside its audited service;
- ``translations_by_language`` and ``translation_of_earlier_version`` in its selectors;
- ``translation_rows`` for the list of languages on its staff page;
- ``translation_page`` for the view that writes one translation, rendered with a template that
  extends ``version_translation.html``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from mentormemed.core.audit import audit
from mentormemed.core.languages import language_name, translation_codes, translation_languages
from mentormemed.core.models import VersionTranslation
from mentormemed.core.types import JSONDict

if TYPE_CHECKING:
    from django import forms
    from django.db import models
    from django.http import HttpResponse

    from mentormemed.core.access import Actor
    from mentormemed.core.types import ActorRequest

T = TypeVar("T", bound=VersionTranslation)


def require_translation_language(language: str) -> None:
    """A translation is written in one of the site's other languages, or the service says which."""
    if language not in translation_codes():
        raise ValidationError(
            gettext("Translations can be written in: %(languages)s.")
            % {"languages": ", ".join(language_name(c) for c in translation_codes())}
        )


def save_version_translation(
    model: type[T],
    *,
    acting: Actor,
    version: models.Model,
    language: str,
    fields: JSONDict,
    action: str,
    obj: models.Model,
    detail: JSONDict,
    actor_role: str = "",
) -> T:
    """Write or replace ``version``'s translation into ``language`` and audit it, in the caller's
    transaction; the audit detail is ``detail`` and whether the translation was new (``created``).

    The caller has checked the permission, the language and the fields (what "translated" means is
    its own)."""
    translation, created = model._default_manager.update_or_create(
        version=version, language=language, defaults={**fields, "updated_by": acting.person}
    )
    audit(acting=acting, action=action, obj=obj, actor_role=actor_role, detail={**detail, "created": created})
    return translation


def translations_by_language(model: type[T], version_id: int | None) -> dict[str, T]:
    """The translations of one version by language, with who saved them (staff pages)."""
    if version_id is None:
        return {}
    return {t.language: t for t in model._default_manager.filter(version_id=version_id).select_related("updated_by")}


def translation_of_earlier_version(
    model: type[T], version: models.Model, language: str, *, parent: str, number: str
) -> T | None:
    """The newest translation into ``language`` of an earlier version of the same text, if any, to fill
    in the form of a new version: ``parent`` is the version's foreign key to the text (``module``,
    ``instrument``), ``number`` the field that numbers the versions (``version``, ``number``)."""
    earlier = {
        f"version__{parent}_id": getattr(version, f"{parent}_id"),
        f"version__{number}__lt": getattr(version, number),
    }
    return (
        model._default_manager.filter(language=language, **earlier)
        .select_related("version")
        .order_by(f"-version__{number}")
        .first()
    )


def translation_rows(saved: Mapping[str, VersionTranslation]) -> list[dict[str, Any]]:
    """One row per language a translation can be written in, with the saved one (or ``None``), for
    the ``_translation_rows.html`` include."""
    return [{"code": code, "name": name, "translation": saved.get(code)} for code, name in translation_languages()]


def translation_page(
    request: ActorRequest,
    *,
    form: forms.Form,
    version: models.Model,
    language: str,
    saved: VersionTranslation | None,
    earlier: VersionTranslation | None,
    save: Callable[[], object],
    saved_message: str,
    done_url: str,
    template: str,
    context: JSONDict,
) -> HttpResponse:
    """The page that writes one translation: the form (its fields marked as typed in ``language``);
    on a valid POST ``save()`` (the app's service), then ``saved_message`` and back to ``done_url``;
    a ``ValidationError`` from the service shows on the form. ``template`` extends
    ``version_translation.html``, which gets ``context`` and the page's own keys."""
    for field in form.fields.values():
        field.widget.attrs["lang"] = language  # what staff type is in that language (WCAG 3.1.2)
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, saved_message)
            return redirect(done_url)
    return render(
        request,
        template,
        {
            **context,
            "version": version,
            "form": form,
            "language": language,
            "language_name": language_name(language),
            "saved": saved,
            "earlier": earlier,
            "done_url": done_url,
        },
    )
