"""Staff pages for the taxonomy: every list, add a value, retire or restore one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import requires
from mentormemed.profiles.forms import TaxonomyAddForm, grouped_specialties
from mentormemed.profiles.taxonomy import LISTS, taxonomy_add, taxonomy_set_active

RELATED = {"identity": ("dimension", "parent")}
ORDER = {
    "identity": ("dimension__position", "position"),
    "regions": ("kind", "name"),
}


def _list_url(list_key: str) -> str:
    return f"{reverse('profiles:staff_taxonomy')}?list={list_key}"


@requires("staff.taxonomy")
@require_http_methods(["GET", "POST"])
def taxonomy(request):
    list_key = request.GET.get("list") if request.GET.get("list") in LISTS else "areas"
    spec = LISTS[list_key]
    form = TaxonomyAddForm(request.POST or None, list_key=list_key)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            value = taxonomy_add(
                acting=request.actor,
                list_key=list_key,
                name=data["name"],
                parent=data.get("parent"),
                dimension=data.get("dimension"),
                region_kind=data.get("region_kind", ""),
                code=data.get("code", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, gettext("“%(name)s” added to %(lower)s.") % {"name": value.name, "lower": spec.label.lower()}
            )
            return redirect(_list_url(list_key))
    values = spec.model.objects.select_related(*RELATED.get(list_key, ()))
    if list_key == "specialties":
        values = grouped_specialties(values)
    else:
        values = values.order_by(*ORDER.get(list_key, ("position", "name")))
    return render(
        request,
        "profiles/staff/taxonomy.html",
        {"lists": LISTS.values(), "spec": spec, "values": values, "form": form},
    )


@requires("staff.taxonomy")
@require_POST
def taxonomy_toggle(request, list_key: str, pk: int):
    active = request.POST.get("active") == "1"
    try:
        value = taxonomy_set_active(acting=request.actor, list_key=list_key, pk=pk, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_list_url(list_key if list_key in LISTS else "areas"))
    done = gettext("“%(name)s” restored.") if active else gettext("“%(name)s” retired.")
    messages.success(request, done % {"name": value.name})
    return redirect(_list_url(list_key))
