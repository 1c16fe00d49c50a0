"""The in-app notification list and notification preferences (R31)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import requires
from mentormemed.notifications import selectors, services
from mentormemed.notifications.models import Delivery


@requires("notifications")
def inbox(request):
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(request.GET.get("page"))
    return render(
        request, "notifications/inbox.html", {"page": page, "unread": selectors.unread_count(user=request.user)}
    )


@requires("notifications")
@require_POST
def read(request, pk: int):
    """Mark one of the user's notifications read and follow its link (another person's id: no effect)."""
    services.mark_read(acting=request.actor, notification_ids=[pk])
    target = selectors.notifications_for(user=request.user).filter(pk=pk).values_list("url", flat=True).first()
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@requires("notifications")
@require_POST
def read_all(request):
    count = services.mark_read(acting=request.actor)
    messages.success(
        request,
        ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("notifications:inbox")


@requires("notifications")
@require_http_methods(["GET", "POST"])
def preferences(request):
    role = request.actor.role
    if request.method == "POST":
        services.preferences_save(
            acting=request.actor,
            choices={
                key.removeprefix("kind_"): value for key, value in request.POST.items() if key.startswith("kind_")
            },
        )
        messages.success(request, gettext("Your notification choices are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"rows": selectors.preferences_for(user=request.user, role=role), "choices": Delivery.choices},
    )
