"""The facet vocabulary: which *shared* values of a mentor are searchable, and their labels.

Facet keys are ``<group>:<value>``; the group is everything before the last colon:
``area:research``, ``spec:pediatrics``, ``lang:es``, ``native:es``, ``state:IL``,
``country:NG``, ``role:sponsor``, ``id:race_ethnicity:black``. A detail option
(e.g. Nigerian) also indexes its parent (Black or African American) so a search for
the broad group finds it. Only shared values are indexed (R8).

Built from the profile and the taxonomy alone, so it lives with them; matching stores the keys
(``matching.index``, the ``MentorFacet`` rows) and searches them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

GROUP_LABELS = {
    "area": gettext_noop("Offers help with"),
    "spec": gettext_noop("Specialty"),
    "lang": gettext_noop("Speaks"),
    "native": gettext_noop("Native language"),
    "state": gettext_noop("Home state"),
    "country": gettext_noop("Home country"),
    "role": gettext_noop("Mentor or sponsor"),
}
"""The product's own group names, in English; ``FacetInfo.group_label`` gives them in the reader's language.
An identity dimension's name, and every value's name but the two roles', is taxonomy data."""
ROLE_LABELS = {"role:mentor": gettext_noop("Mentor"), "role:sponsor": gettext_noop("Sponsor")}


def group_of(key: str) -> str:
    return key.rsplit(":", 1)[0]


def mentor_facet_keys(profile, identity_values=None) -> set[str]:
    """Every searchable key of ``profile``; private values are left out by construction."""
    keys: set[str] = set()
    keys.update(f"area:{ca.key}" for ca in profile.content_areas.all())
    for spec in profile.specialties.all():
        keys.add(f"spec:{spec.key}")
        if spec.parent_id:
            keys.add(f"spec:{spec.parent.key}")
    if profile.languages_shared:
        keys.update(f"lang:{lang.key}" for lang in profile.languages.all())
        if profile.native_language_id:
            keys.add(f"native:{profile.native_language.key}")
    if profile.home_shared:
        if profile.home_state_id:
            keys.add(f"state:{profile.home_state.code}")
        if profile.home_country_id:
            keys.add(f"country:{profile.home_country.code}")
    if profile.offers_sponsorship:
        keys.add("role:sponsor")
    if profile.offers_mentoring:
        keys.add("role:mentor")
    if identity_values is None:
        identity_values = profile.membership.identity_values.filter(shared=True).select_related(
            "option__dimension", "option__parent"
        )
    for value in identity_values:
        if not value.shared or value.option.no_answer:
            continue
        dim = value.option.dimension.key
        keys.add(f"id:{dim}:{value.option.key}")
        if value.option.parent_id:
            keys.add(f"id:{dim}:{value.option.parent.key}")
    return keys


@dataclass(frozen=True)
class FacetInfo:
    key: str
    group: str
    group_name: str  # as stored: the product's English source, or an identity dimension's name
    name: str
    position: tuple
    parent: str = ""  # the broad option's facet key for a detail option

    @property
    def group_label(self) -> str:
        """The group's name in the reader's language (the catalog is shared by every language)."""
        return gettext(self.group_name) if self.group in GROUP_LABELS else self.group_name

    @property
    def label(self) -> str:
        return gettext(self.name) if self.key in ROLE_LABELS else self.name


_CATALOG: dict = {"at": 0.0, "items": {}}
CATALOG_TTL = 300  # seconds: staff may add taxonomy values; labels refresh within minutes


def forget_catalog() -> None:
    """Rebuild the catalog on next use in this process (after staff change the taxonomy)."""
    _CATALOG.update(at=0.0, items={})


def catalog() -> dict[str, FacetInfo]:
    """Label and group of every possible facet key (cached in-process)."""
    if time.monotonic() - _CATALOG["at"] < CATALOG_TTL and _CATALOG["items"]:
        return _CATALOG["items"]
    from mentormemed.profiles.models import ContentArea, IdentityOption, Language, Region, Specialty

    items: dict[str, FacetInfo] = {}

    def add(key, label, position):
        group = group_of(key)
        group_label = GROUP_LABELS.get(group, "")
        items[key] = FacetInfo(key, group, group_label, label, position)

    for ca in ContentArea.objects.filter(active=True):
        add(f"area:{ca.key}", ca.name, (ca.position, ca.name))
    for spec in Specialty.objects.filter(active=True).select_related("parent"):
        label = f"{spec.parent.name} — {spec.name}" if spec.parent is not None else spec.name
        add(f"spec:{spec.key}", label, (label,))
    for lang in Language.objects.filter(active=True):
        add(f"lang:{lang.key}", lang.name, (lang.position, lang.name))
        add(f"native:{lang.key}", lang.name, (lang.position, lang.name))
    for region in Region.objects.filter(active=True):
        add(f"{region.kind}:{region.code}", region.name, (region.name,))
    for position, (key, name) in enumerate(ROLE_LABELS.items()):
        add(key, name, (position,))
    options = IdentityOption.objects.filter(active=True, no_answer=False).select_related("dimension", "parent")
    for opt in options:
        key = f"id:{opt.dimension.key}:{opt.key}"
        label = opt.name.split(" — ")[0].replace(" (write in)", "")
        parent = f"id:{opt.dimension.key}:{opt.parent.key}" if opt.parent is not None else ""
        items[key] = FacetInfo(
            key, f"id:{opt.dimension.key}", opt.dimension.name, label, (opt.dimension.position, opt.position), parent
        )
    _CATALOG.update(at=time.monotonic(), items=items)
    return items


def group_label(group: str) -> str:
    if group.startswith("id:"):
        for info in catalog().values():
            if info.group == group:
                return info.group_label
    return gettext(GROUP_LABELS[group]) if group in GROUP_LABELS else group


def expire_catalog() -> None:
    """Rebuild the catalog on next use, keeping what it holds until then (a new value may need a label)."""
    _CATALOG["at"] = 0.0
