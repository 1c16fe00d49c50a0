"""Campus sign-in pages: discovery, SP metadata, privacy statement, and the IdP settings page
(institution admin, or staff for any institution)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from mentormemed.core.access import public, requires
from mentormemed.institutions.models import Institution
from mentormemed.sso import selectors, services
from mentormemed.sso.claims import SAML_DEFAULT_ATTRIBUTES
from mentormemed.sso.forms import IdentityProviderForm
from mentormemed.sso.metadata import sp_metadata
from mentormemed.sso.models import IdentityProvider


@public
def find(request):
    """“Sign in with your institution”: by e-mail address (domain) or by name."""
    query = request.GET.get("q", "").strip()[:200]
    results = [(idp, selectors.login_url(idp)) for idp in selectors.find_identity_providers(query)]
    return render(request, "sso/find.html", {"q": query, "results": results})


@public
def metadata(request, slug: str):
    idp = get_object_or_404(IdentityProvider.objects.select_related("app", "institution"), slug=slug, protocol="saml")
    return HttpResponse(sp_metadata(request, idp), content_type="application/samlmetadata+xml")


@public
def privacy(request):
    return render(request, "sso/privacy.html", {"attributes": SAML_DEFAULT_ATTRIBUTES})


def _sp_details(request, idp: IdentityProvider | None) -> dict:
    if idp is None:
        return {}
    if idp.protocol == IdentityProvider.Protocol.SAML:
        return {
            "entity_id": services.sp_entity_id(idp.slug),
            "metadata_url": request.build_absolute_uri(reverse("sso:metadata", args=[idp.slug])),
            "acs_url": request.build_absolute_uri(reverse("saml_acs", args=[idp.app.client_id])),
        }
    callback = reverse("openid_connect_callback", kwargs={"provider_id": idp.app.provider_id})
    return {"redirect_uri": request.build_absolute_uri(callback)}


def _configure(request, institution: Institution, *, back_url: str):
    idp = IdentityProvider.objects.select_related("app").filter(institution=institution).first()
    initial = IdentityProviderForm.initial_for(idp) or {"display_name": f"{institution} campus login"}
    form = IdentityProviderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            idp = services.identity_provider_save(acting=request.actor, institution=institution, data=form.settings())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext("%(display_name)s is saved. Give your IdP team the details below.")
                % {"display_name": idp.display_name},
            )
            return redirect(request.path)
    context = {
        "form": form,
        "idp": idp,
        "institution": institution,
        "sp": _sp_details(request, idp),
        "back_url": back_url,
    }
    return render(request, "sso/configure.html", context)


@requires("institution.sso")
@require_http_methods(["GET", "POST"])
def configure(request):
    return _configure(request, request.actor.institution, back_url=reverse("core:home"))


@requires("staff.institutions")
@require_http_methods(["GET", "POST"])
def staff_configure(request, pk: int):
    institution = get_object_or_404(Institution, pk=pk)
    return _configure(request, institution, back_url=reverse("staff:institution", args=[pk]))
