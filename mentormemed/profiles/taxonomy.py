"""Staff extend the taxonomy (specialties, content areas, languages, places, identity options).

Values are data, never code. A value is never deleted once people may have chosen it:
staff retire it instead (it leaves the forms and the search filters; what people already
chose stays on their profiles). Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Model
from django.utils.text import slugify
from django.utils.translation import gettext

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.profiles import signals
from mentormemed.profiles.facets import forget_catalog
from mentormemed.profiles.models import ContentArea, IdentityDimension, IdentityOption, Language, Region, Specialty


@dataclass(frozen=True)
class TaxonomyList:
    key: str
    label: str
    model: type[Model]
    hint: str


LISTS = {
    t.key: t
    for t in (
        TaxonomyList("specialties", "Specialties and subspecialties", Specialty, "A subspecialty names its specialty."),
        TaxonomyList("areas", "Content areas of mentoring", ContentArea, "What mentees ask for help with."),
        TaxonomyList("languages", "Languages", Language, "Languages people mentor and speak in."),
        TaxonomyList("regions", "US states and countries", Region, "Home places; a code is required (e.g. NM, MX)."),
        TaxonomyList("identity", "Identity options", IdentityOption, "An answer to one identity question."),
    )
}


def taxonomy_list(key: str) -> TaxonomyList:
    if key not in LISTS:
        raise ValidationError(gettext("Choose one of the lists."))
    return LISTS[key]


def _unique_key(model, name: str, **scope) -> str:
    base = slugify(name)[:70] or "value"
    key, n = base, 2
    while model.objects.filter(key=key, **scope).exists():
        key, n = f"{base}-{n}", n + 1
    return key


def _next_position(model, **scope) -> int:
    return (model.objects.filter(**scope).aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def taxonomy_add(
    *,
    acting: Actor,
    list_key: str,
    name: str,
    parent: Model | None = None,
    dimension: IdentityDimension | None = None,
    region_kind: str = "",
    code: str = "",
) -> Model:
    """Add one value to a list (staff); a name already on that list is refused, not duplicated."""
    acting.require("staff.taxonomy")
    spec = taxonomy_list(list_key)
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise ValidationError(gettext("Give the value a name of at most 200 characters."))
    scope: dict = {}
    fields: dict = {}
    if spec.model is Specialty:
        if parent is not None and parent.parent_id is not None:
            raise ValidationError(gettext("A subspecialty belongs to a specialty, not to another subspecialty."))
        scope, fields = {"parent": parent}, {"parent": parent}
    elif spec.model is Region:
        code = (code or "").strip().upper()
        if region_kind not in Region.Kind.values or not code or len(code) > 10:
            raise ValidationError(
                gettext("A place needs its kind (state or country) and a code of at most 10 characters.")
            )
        if Region.objects.filter(kind=region_kind, code=code).exists():
            raise ValidationError(gettext("There is already a place with the code %(code)s.") % {"code": code})
        scope, fields = {"kind": region_kind}, {"kind": region_kind, "code": code}
    elif spec.model is IdentityOption:
        if dimension is None:
            raise ValidationError(gettext("Choose the identity question this answer belongs to."))
        if parent is not None and parent.dimension_id != dimension.pk:
            raise ValidationError(gettext("A detailed answer must belong to a broader answer of the same question."))
        scope, fields = {"dimension": dimension}, {"dimension": dimension, "parent": parent}
    if spec.model.objects.filter(name__iexact=name, **scope).exists():
        raise ValidationError(gettext("“%(name)s” is already on this list.") % {"name": name})
    key_scope = {"dimension": dimension} if spec.model is IdentityOption else {}
    try:
        with transaction.atomic():
            value = spec.model.objects.create(
                name=name,
                key=_unique_key(spec.model, name, **key_scope),
                position=_next_position(spec.model, **scope),
                **fields,
            )
    except IntegrityError as exc:  # two staff adding the same value at once
        raise ValidationError(gettext("“%(name)s” was just added by someone else.") % {"name": name}) from exc
    audit(acting=acting, action="taxonomy.add", obj=value, detail={"list": list_key, "name": name})
    transaction.on_commit(_labels_changed)
    return value


@transaction.atomic
def taxonomy_set_active(*, acting: Actor, list_key: str, pk: int, active: bool) -> Model:
    """Retire a value (hidden from forms and filters; existing choices stay) or bring it back (staff)."""
    acting.require("staff.taxonomy")
    spec = taxonomy_list(list_key)
    value = spec.model.objects.select_for_update().filter(pk=pk).first()
    if value is None:
        raise ValidationError(gettext("That value does not exist."))
    if value.active != active:
        value.active = active
        value.save(update_fields=["active"])
        audit(
            acting=acting,
            action="taxonomy.restore" if active else "taxonomy.retire",
            obj=value,
            detail={"list": list_key, "name": value.name},
        )
        transaction.on_commit(_labels_changed)
    return value


def _labels_changed() -> None:
    forget_catalog()
    signals.taxonomy_changed.send(sender=None)  # matching drops its cached facet counts
