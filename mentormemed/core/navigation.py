"""Navigation per role. Each capability appends its entries here.

``group`` keeps the bar short: items sharing a group name become one dropdown
(in first-appearance order); ``"account"`` items go to the person's menu and
``"bell"`` is the notifications icon.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = ""
    group: str = ""


NAV: dict[str, list[NavItem]] = {
    "mentee": [
        NavItem("Home", "core:home", "house"),
        NavItem("Search", "matching:search", "search", group="Find mentors"),
        NavItem("Recommended for you", "matching:recommended", "stars", group="Find mentors"),
        NavItem("My network", "mentorships:network", "diagram-3", group="My mentoring"),
        NavItem("My requests", "mentorships:requests", "send", group="My mentoring"),
        NavItem("Mentorships", "mentorships:relationships", "people", group="My mentoring"),
        NavItem("Meetings", "scheduling:meetings", "calendar-event"),
        NavItem("My profile", "profiles:me", "person-vcard", group="account"),
        NavItem("Training", "training:modules", "mortarboard"),
        NavItem("Evaluations", "evaluations:index", "clipboard-check", group="My mentoring"),
        NavItem("My reports", "care:my_reports", "shield-check", group="account"),
        NavItem("My data", "lifecycle:mine", "file-earmark-person", group="account"),
        NavItem("Notifications", "notifications:inbox", "bell", group="bell"),
        NavItem("Programs", "programs:mine", "collection", group="Programs"),
        NavItem("Circles", "programs:circles", "people-fill", group="Programs"),
        NavItem("Office hours", "programs:sessions", "door-open", group="Programs"),
        NavItem("Speed mentoring", "programs:events", "stopwatch", group="Programs"),
        NavItem("Ask the network", "programs:questions", "question-circle", group="Programs"),
    ],
    "mentor": [
        NavItem("Home", "core:home", "house"),
        NavItem("Requests and capacity", "mentorships:inbox", "inbox", group="Mentoring"),
        NavItem("Mentorships", "mentorships:relationships", "people", group="Mentoring"),
        NavItem("Meetings", "scheduling:meetings", "calendar-event"),
        NavItem("Availability", "scheduling:availability", "calendar-week", group="Mentoring"),
        NavItem("My profile", "profiles:me", "person-vcard", group="account"),
        NavItem("Modules", "training:modules", "mortarboard", group="Training"),
        NavItem("CME credit", "training:cme", "award", group="Training"),
        NavItem("My feedback", "evaluations:feedback", "clipboard-data", group="Mentoring"),
        NavItem("Research request", "outcomes:research", "database", group="Mentoring"),
        NavItem("My reports", "care:my_reports", "shield-check", group="account"),
        NavItem("My data", "lifecycle:mine", "file-earmark-person", group="account"),
        NavItem("Notifications", "notifications:inbox", "bell", group="bell"),
        NavItem("Programs", "programs:mine", "collection", group="Programs"),
        NavItem("Circles", "programs:circles", "people-fill", group="Programs"),
        NavItem("Office hours", "programs:sessions", "door-open", group="Programs"),
        NavItem("Speed mentoring", "programs:events", "stopwatch", group="Programs"),
        NavItem("Questions from learners", "programs:questions", "question-circle", group="Programs"),
    ],
    "admin": [
        NavItem("Dashboard", "core:home", "speedometer2"),
        NavItem("Members", "institutions:members", "people", group="People"),
        NavItem("Invite", "institutions:invite", "envelope-plus", group="People"),
        NavItem("Mentor criteria", "institutions:criteria", "list-check", group="People"),
        NavItem("Subscription", "institutions:subscription", "receipt"),
        NavItem("Data export and retention", "lifecycle:institution", "box-arrow-down", group="Reports"),
        NavItem("My data", "lifecycle:mine", "file-earmark-person", group="account"),
        NavItem("Training & CME", "training:institution", "mortarboard", group="Reports"),
        NavItem("Outcomes", "outcomes:dashboard", "graph-up", group="Reports"),
        NavItem("Mentor reward", "outcomes:reward", "award", group="Reports"),
        NavItem("Suspended mentors", "mentorships:suspended", "pause-circle", group="People"),
        NavItem("At-risk mentorships", "care:at_risk", "heart-pulse", group="Care"),
        NavItem("Reports and concerns", "care:cases", "shield-exclamation", group="Care"),
        NavItem("Duty-of-care settings", "care:settings", "sliders", group="Care"),
        NavItem("Campus sign-in", "sso:configure", "key", group="Campus systems"),
        NavItem("Provisioning", "provisioning:index", "arrow-left-right", group="Campus systems"),
        NavItem("Notifications", "notifications:inbox", "bell", group="bell"),
        NavItem("Programs", "programs:admin_list", "collection", group="Programs"),
        NavItem("Circles", "programs:admin_circles", "people-fill", group="Programs"),
        NavItem("Speed mentoring", "programs:admin_events", "stopwatch", group="Programs"),
    ],
    "staff": [
        NavItem("Overview", "core:home", "speedometer2"),
        NavItem("All institutions", "staff:institutions", "building", group="Institutions"),
        NavItem("Price bands", "staff:price_bands", "currency-dollar", group="Institutions"),
        NavItem("Agreements", "staff:agreements", "file-text", group="Institutions"),
        NavItem("Taxonomy", "profiles:staff_taxonomy", "tags", group="Programs"),
        NavItem("Audit log", "staff:audit", "journal-text"),
        NavItem("Data lifecycle", "lifecycle:staff_index", "recycle", group="Institutions"),
        NavItem("Training modules", "training:staff_modules", "mortarboard", group="Programs"),
        NavItem("CME claims", "training:staff_claims", "award", group="Programs"),
        NavItem("Suspended mentors", "mentorships:suspended", "pause-circle", group="Programs"),
        NavItem("Evaluation instruments", "evaluations:instruments", "clipboard-check", group="Programs"),
        NavItem("National outcomes", "outcomes:national", "graph-up", group="Outcomes"),
        NavItem("Research requests", "outcomes:staff_research", "database", group="Outcomes"),
        NavItem("Reports and concerns", "care:cases", "shield-exclamation", group="Care"),
        NavItem("At-risk mentorships", "care:at_risk", "heart-pulse", group="Care"),
        NavItem("Notifications", "notifications:inbox", "bell", group="bell"),
    ],
}
