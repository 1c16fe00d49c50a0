"""Navigation per role. Each capability appends its entries here.

``group`` keeps the bar short: items sharing a group name become one dropdown
(in first-appearance order); ``"account"`` items go to the person's menu and
``"bell"`` is the notifications icon.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from mentormemed.core.types import Text


@dataclass(frozen=True)
class NavItem:
    label: Text
    url_name: str
    icon: str = ""
    group: Text = ""


NAV: dict[str, list[NavItem]] = {
    "mentee": [
        NavItem(gettext_lazy("Home"), "core:home", "house"),
        NavItem(gettext_lazy("Search"), "matching:search", "search", group=gettext_lazy("Find mentors")),
        NavItem(
            gettext_lazy("Recommended for you"), "matching:recommended", "stars", group=gettext_lazy("Find mentors")
        ),
        NavItem(gettext_lazy("My network"), "mentorships:network", "diagram-3", group=gettext_lazy("My mentoring")),
        NavItem(gettext_lazy("My requests"), "mentorships:requests", "send", group=gettext_lazy("My mentoring")),
        NavItem(gettext_lazy("Mentorships"), "mentorships:relationships", "people", group=gettext_lazy("My mentoring")),
        NavItem(gettext_lazy("Meetings"), "scheduling:meetings", "calendar-event"),
        NavItem(gettext_lazy("My profile"), "profiles:me", "person-vcard", group="account"),
        NavItem(gettext_lazy("Training"), "training:modules", "mortarboard"),
        NavItem(
            gettext_lazy("Evaluations"), "evaluations:index", "clipboard-check", group=gettext_lazy("My mentoring")
        ),
        NavItem(gettext_lazy("My reports"), "care:my_reports", "shield-check", group="account"),
        NavItem(gettext_lazy("My data"), "lifecycle:mine", "file-earmark-person", group="account"),
        NavItem(gettext_lazy("Notifications"), "notifications:inbox", "bell", group="bell"),
        NavItem(gettext_lazy("Programs"), "programs:mine", "collection", group=gettext_lazy("Programs")),
        NavItem(gettext_lazy("Circles"), "programs:circles", "people-fill", group=gettext_lazy("Programs")),
        NavItem(gettext_lazy("Office hours"), "programs:sessions", "door-open", group=gettext_lazy("Programs")),
        NavItem(gettext_lazy("Speed mentoring"), "programs:events", "stopwatch", group=gettext_lazy("Programs")),
        NavItem(
            gettext_lazy("Ask the network"), "programs:questions", "question-circle", group=gettext_lazy("Programs")
        ),
    ],
    "mentor": [
        NavItem(gettext_lazy("Home"), "core:home", "house"),
        NavItem(gettext_lazy("Requests and capacity"), "mentorships:inbox", "inbox", group=gettext_lazy("Mentoring")),
        NavItem(gettext_lazy("Mentorships"), "mentorships:relationships", "people", group=gettext_lazy("Mentoring")),
        NavItem(gettext_lazy("Meetings"), "scheduling:meetings", "calendar-event"),
        NavItem(
            gettext_lazy("Availability"), "scheduling:availability", "calendar-week", group=gettext_lazy("Mentoring")
        ),
        NavItem(gettext_lazy("My profile"), "profiles:me", "person-vcard", group="account"),
        NavItem(gettext_lazy("Modules"), "training:modules", "mortarboard", group=gettext_lazy("Training")),
        NavItem(gettext_lazy("CME credit"), "training:cme", "award", group=gettext_lazy("Training")),
        NavItem(gettext_lazy("My feedback"), "evaluations:feedback", "clipboard-data", group=gettext_lazy("Mentoring")),
        NavItem(gettext_lazy("Research request"), "outcomes:research", "database", group=gettext_lazy("Mentoring")),
        NavItem(gettext_lazy("My reports"), "care:my_reports", "shield-check", group="account"),
        NavItem(gettext_lazy("My data"), "lifecycle:mine", "file-earmark-person", group="account"),
        NavItem(gettext_lazy("Notifications"), "notifications:inbox", "bell", group="bell"),
        NavItem(gettext_lazy("Programs"), "programs:mine", "collection", group=gettext_lazy("Programs")),
        NavItem(gettext_lazy("Circles"), "programs:circles", "people-fill", group=gettext_lazy("Programs")),
        NavItem(gettext_lazy("Office hours"), "programs:sessions", "door-open", group=gettext_lazy("Programs")),
        NavItem(gettext_lazy("Speed mentoring"), "programs:events", "stopwatch", group=gettext_lazy("Programs")),
        NavItem(
            gettext_lazy("Questions from learners"),
            "programs:questions",
            "question-circle",
            group=gettext_lazy("Programs"),
        ),
    ],
    "admin": [
        NavItem(gettext_lazy("Dashboard"), "core:home", "speedometer2"),
        NavItem(gettext_lazy("Members"), "institutions:members", "people", group=gettext_lazy("People")),
        NavItem(gettext_lazy("Invite"), "institutions:invite", "envelope-plus", group=gettext_lazy("People")),
        NavItem(gettext_lazy("Mentor criteria"), "institutions:criteria", "list-check", group=gettext_lazy("People")),
        NavItem(gettext_lazy("Subscription"), "institutions:subscription", "receipt"),
        NavItem(
            gettext_lazy("Data export and retention"),
            "lifecycle:institution",
            "box-arrow-down",
            group=gettext_lazy("Reports"),
        ),
        NavItem(gettext_lazy("My data"), "lifecycle:mine", "file-earmark-person", group="account"),
        NavItem(gettext_lazy("Training & CME"), "training:institution", "mortarboard", group=gettext_lazy("Reports")),
        NavItem(gettext_lazy("Outcomes"), "outcomes:dashboard", "graph-up", group=gettext_lazy("Reports")),
        NavItem(gettext_lazy("Mentor reward"), "outcomes:reward", "award", group=gettext_lazy("Reports")),
        NavItem(
            gettext_lazy("Suspended mentors"), "mentorships:suspended", "pause-circle", group=gettext_lazy("People")
        ),
        NavItem(gettext_lazy("At-risk mentorships"), "care:at_risk", "heart-pulse", group=gettext_lazy("Care")),
        NavItem(gettext_lazy("Reports and concerns"), "care:cases", "shield-exclamation", group=gettext_lazy("Care")),
        NavItem(gettext_lazy("Duty-of-care settings"), "care:settings", "sliders", group=gettext_lazy("Care")),
        NavItem(gettext_lazy("Campus sign-in"), "sso:configure", "key", group=gettext_lazy("Campus systems")),
        NavItem(
            gettext_lazy("Provisioning"), "provisioning:index", "arrow-left-right", group=gettext_lazy("Campus systems")
        ),
        NavItem(gettext_lazy("Notifications"), "notifications:inbox", "bell", group="bell"),
        NavItem(gettext_lazy("Programs"), "programs:admin_list", "collection", group=gettext_lazy("Programs")),
        NavItem(gettext_lazy("Circles"), "programs:admin_circles", "people-fill", group=gettext_lazy("Programs")),
        NavItem(gettext_lazy("Speed mentoring"), "programs:admin_events", "stopwatch", group=gettext_lazy("Programs")),
    ],
    "staff": [
        NavItem(gettext_lazy("Overview"), "core:home", "speedometer2"),
        NavItem(gettext_lazy("All institutions"), "staff:institutions", "building", group=gettext_lazy("Institutions")),
        NavItem(
            gettext_lazy("Price bands"), "staff:price_bands", "currency-dollar", group=gettext_lazy("Institutions")
        ),
        NavItem(gettext_lazy("Agreements"), "staff:agreements", "file-text", group=gettext_lazy("Institutions")),
        NavItem(gettext_lazy("National programs"), "programs:staff_list", "globe", group=gettext_lazy("Programs")),
        NavItem(gettext_lazy("Taxonomy"), "profiles:staff_taxonomy", "tags", group=gettext_lazy("Programs")),
        NavItem(gettext_lazy("Audit log"), "staff:audit", "journal-text"),
        NavItem(gettext_lazy("Data lifecycle"), "lifecycle:staff_index", "recycle", group=gettext_lazy("Institutions")),
        NavItem(
            gettext_lazy("Training modules"), "training:staff_modules", "mortarboard", group=gettext_lazy("Programs")
        ),
        NavItem(gettext_lazy("CME claims"), "training:staff_claims", "award", group=gettext_lazy("Programs")),
        NavItem(
            gettext_lazy("Suspended mentors"), "mentorships:suspended", "pause-circle", group=gettext_lazy("Programs")
        ),
        NavItem(
            gettext_lazy("Evaluation instruments"),
            "evaluations:instruments",
            "clipboard-check",
            group=gettext_lazy("Programs"),
        ),
        NavItem(gettext_lazy("National outcomes"), "outcomes:national", "graph-up", group=gettext_lazy("Outcomes")),
        NavItem(
            gettext_lazy("Research requests"), "outcomes:staff_research", "database", group=gettext_lazy("Outcomes")
        ),
        NavItem(gettext_lazy("Reports and concerns"), "care:cases", "shield-exclamation", group=gettext_lazy("Care")),
        NavItem(gettext_lazy("At-risk mentorships"), "care:at_risk", "heart-pulse", group=gettext_lazy("Care")),
        NavItem(gettext_lazy("Notifications"), "notifications:inbox", "bell", group="bell"),
    ],
}
