"""Home pages per role, the onboarding checklist and the role switcher."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mentormemed.core.access import ADMIN, STAFF, public, requires
from mentormemed.core.dashboard import dashboard_panels
from mentormemed.core.middleware import SESSION_KEY
from mentormemed.core.onboarding import checklist, progress
from mentormemed.core.types import ActorRequest


@public
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    return render(request, "core/landing.html")


@requires("home")
def home(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    context: dict[str, object] = {"panels": dashboard_panels(request)}
    if actor.role == STAFF:
        return render(request, "core/home_staff.html", context)
    if actor.role == ADMIN:
        return render(request, "core/home_admin.html", context)
    assert actor.membership is not None  # mentees and mentors always act in a membership
    items = checklist(actor.membership)  # read once: each step's check runs its own statements
    context["checklist"] = items
    context["onboarded"] = progress(items).complete
    return render(request, "core/home_member.html", context)


@requires("onboarding")
def onboarding(request: ActorRequest) -> HttpResponse:
    membership = request.actor.membership
    assert membership is not None  # mentees and mentors always act in a membership
    items = checklist(membership)
    return render(
        request,
        "core/onboarding.html",
        {
            "checklist": items,
            "complete": progress(items).complete,
        },
    )


@public
@require_POST
def switch_role(request: ActorRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    wanted = request.POST.get("membership", "")
    for membership in request.actor.memberships:
        if str(membership.pk) == wanted:
            request.session[SESSION_KEY] = membership.pk
            messages.info(
                request,
                gettext("You are now acting as %(get_role_display)s at %(institution)s.")
                % {"get_role_display": membership.get_role_display().lower(), "institution": membership.institution},
            )
            break
    else:
        messages.error(request, gettext("That role is not yours."))
    return redirect("core:home")


@public
def security_txt(request: HttpRequest) -> HttpResponse:
    """How to report a vulnerability (RFC 9116). Written fresh on each request, so ``Expires`` is
    always within the year the RFC allows."""
    from django.conf import settings

    from mentormemed.core.security_txt import security_txt_text

    response = HttpResponse(security_txt_text(site_url=settings.SITE_URL), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
