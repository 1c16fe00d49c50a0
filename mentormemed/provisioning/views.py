"""Institution admin pages: SCIM tokens and roster sync (R33)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mentormemed.core.access import get_scoped_or_404, requires
from mentormemed.provisioning import roster, selectors, services
from mentormemed.provisioning.forms import RosterForm, TokenForm
from mentormemed.provisioning.models import RosterSync, ScimToken


@requires("institution.provisioning")
def index(request):
    institution = request.actor.institution
    context = {
        **selectors.provisioning_overview(institution=institution),
        "scim_base": request.build_absolute_uri(reverse("scim:users")).removesuffix("Users"),
        "token_form": TokenForm(),
        "roster_form": RosterForm(),
        "new_secret": request.session.pop("scim_new_secret", None),
    }
    return render(request, "provisioning/index.html", context)


@requires("institution.provisioning")
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            issued = services.scim_token_create(
                acting=request.actor, institution=request.actor.institution, label=form.cleaned_data["label"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            # Shown once on the next page, then gone: only its hash is kept.
            request.session["scim_new_secret"] = issued.secret
    else:
        messages.error(request, gettext("Name the token after the system that will use it."))
    return redirect("provisioning:index")


@requires("institution.provisioning")
@require_POST
def token_revoke(request, pk: int):
    token = get_scoped_or_404(ScimToken.objects.all(), request.actor, pk=pk)
    if services.scim_token_revoke(acting=request.actor, token=token):
        messages.success(request, gettext("Token “%(label)s” revoked; it stops working now.") % {"label": token.label})
    return redirect("provisioning:index")


@requires("institution.provisioning")
@require_POST
def roster_upload(request):
    form = RosterForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, gettext("Choose the roster file to upload."))
        return redirect("provisioning:index")
    upload = form.cleaned_data["file"]
    try:
        sync = roster.roster_sync_preview(
            acting=request.actor, institution=request.actor.institution, data=upload.read(), file_name=upload.name
        )
    except ValidationError as exc:
        context = {
            **selectors.provisioning_overview(institution=request.actor.institution),
            "token_form": TokenForm(),
            "roster_form": form,
            "roster_errors": exc.messages,
            "scim_base": request.build_absolute_uri(reverse("scim:users")).removesuffix("Users"),
        }
        return render(request, "provisioning/index.html", context, status=400)
    return redirect("provisioning:sync", pk=sync.pk)


@requires("institution.provisioning")
def sync(request, pk: int):
    run = get_scoped_or_404(RosterSync.objects.select_related("uploaded_by"), request.actor, pk=pk)
    return render(request, "provisioning/sync.html", {"sync": run, "diff": run.diff, "report": run.report})


@requires("institution.provisioning")
@require_POST
def sync_action(request, pk: int, action: str):
    run = get_scoped_or_404(RosterSync.objects.all(), request.actor, pk=pk)
    try:
        if action == "apply":
            roster.roster_sync_confirm(acting=request.actor, sync=run)
            messages.success(
                request, gettext("Applying the roster in the background; this page shows the report when done.")
            )
        elif action == "discard":
            roster.roster_sync_discard(acting=request.actor, sync=run)
            messages.info(request, gettext("Discarded; nothing was changed."))
        else:
            messages.error(request, gettext("Choose apply or discard."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("provisioning:sync", pk=run.pk)
