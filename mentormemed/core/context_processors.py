from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict

from django.urls import reverse

from mentormemed.core.access import MEMBER_ROLES
from mentormemed.core.navigation import NAV
from mentormemed.core.types import Text

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from mentormemed.accounts.models import User
    from mentormemed.core.access import Actor


class NavLink(TypedDict):
    label: Text
    url: str
    icon: str
    active: bool


class NavGroup(TypedDict):
    """A dropdown: the links sharing a group name."""

    label: Text
    children: list[NavLink]
    active: bool


def navigation(request: HttpRequest) -> dict[str, object]:
    """The navbar for the acting role: top-level links, dropdown groups, the account menu and the bell."""
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None or not request.user.is_authenticated:
        return {"nav_items": []}
    entries: list[NavLink | NavGroup] = []
    groups: dict[Text, NavGroup] = {}
    account: list[NavLink] = []
    bell: NavLink | None = None
    # Paused members (R1, or a suspended/ended membership) get the paused page everywhere: no menu of dead ends.
    paused = actor.role in MEMBER_ROLES and not (actor.membership_active and actor.subscription_active)
    items = [] if paused else [(item, reverse(item.url_name)) for item in NAV.get(actor.role or "", [])]
    # Only the most specific match is current: /meetings/availability/ is Availability, not Meetings.
    current = max((url for _, url in items if _active(request, url)), key=len, default=None)
    for item, url in items:
        link: NavLink = {"label": item.label, "url": url, "icon": item.icon, "active": url == current}
        group: Text = getattr(item, "group", "")
        if group == "account":
            account.append(link)
        elif group == "bell":
            bell = link
        elif group:
            if group not in groups:
                groups[group] = {"label": group, "children": [], "active": False}
                entries.append(groups[group])
            groups[group]["children"].append(link)
            groups[group]["active"] |= link["active"]
        else:
            entries.append(link)
    unread = (
        (actor.unread_notifications if actor.unread_notifications is not None else _unread(request.user)) if bell else 0
    )
    return {
        "nav_items": entries,
        "nav_account": account,
        "nav_bell": bell,
        "unread_notifications": unread,
        "actor": actor,
    }


# The bell's count when it was not read with the memberships (staff have none), from the app that keeps
# the notifications (it registers ``count(user=...)`` in its AppConfig.ready()).
BellCount = Callable[..., int]
_BELL_COUNT: list[BellCount] = []


def register_bell_count(count: BellCount) -> None:
    _BELL_COUNT[:] = [count]


def _unread(user: User | AnonymousUser) -> int:
    return _BELL_COUNT[0](user=user) if _BELL_COUNT else 0


def _active(request: HttpRequest, url: str) -> bool:
    if url in ("/", "/home/"):
        return request.path == url
    return request.path.startswith(url)
