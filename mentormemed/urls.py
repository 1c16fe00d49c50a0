from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("", include("mentormemed.core.urls")),
    path("", include("mentormemed.accounts.urls")),
    path("manage/", include("mentormemed.institutions.urls")),
    path("staff/", include("mentormemed.institutions.staff_urls")),
    path("profile/", include("mentormemed.profiles.urls")),
    path("mentors/", include("mentormemed.matching.urls")),
    path("", include("mentormemed.training.urls")),
    path("mentorships/", include("mentormemed.mentorships.urls")),
    path("notifications/", include("mentormemed.notifications.urls")),
    path("meetings/", include("mentormemed.scheduling.urls")),
    path("evaluations/", include("mentormemed.evaluations.urls")),
    path("outcomes/", include("mentormemed.outcomes.urls")),
    path("programs/", include("mentormemed.programs.urls")),
    path("care/", include("mentormemed.care.urls")),
    path("", include("mentormemed.sso.urls")),
    path("scim/v2/", include("mentormemed.provisioning.scim_urls")),
    path("manage/", include("mentormemed.provisioning.urls")),
    path("", include("mentormemed.lifecycle.urls")),
]

handler403 = "mentormemed.core.errors.permission_denied"
handler404 = "mentormemed.core.errors.page_not_found"
handler500 = "mentormemed.core.errors.server_error"
