"""Institution admin pages: SCIM tokens and roster sync (R33)."""

from __future__ import annotations

from django.shortcuts import render

from mentormemed.core.access import requires


@requires("institution.provisioning")
def index(request):
    return render(request, "provisioning/index.html", {})
