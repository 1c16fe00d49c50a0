"""Opening the thing a notification points to marks that notification read.

People rarely reach a request, a mentorship or a meeting through the bell: they follow the
e-mail, the home page or the menu. Whichever way they open it, the badge should stop counting
it. Before the view runs (so the page's own badge is already right), every unread notification
of the signed-in person whose link is this page is marked read — one UPDATE on an indexed column,
skipped when nothing unread links here (counted with the person's membership).
"""

from __future__ import annotations

from mentormemed.core.access import Actor
from mentormemed.notifications.services import mark_opened


class MarkOpenedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.method == "GET" and user is not None and user.is_authenticated and not request.htmx:
            membership = getattr(getattr(request, "actor", None), "membership", None)
            here = getattr(membership, "unread_here", None)  # counted with the membership
            if here != 0:  # nothing unread links here: no UPDATE to run
                marked = mark_opened(acting=Actor.for_user(user), path=request.path)
                if here and marked:
                    membership.unread_notifications = max((membership.unread_notifications or 0) - marked, 0)
                    membership.unread_here = 0
        return self.get_response(request)
