from __future__ import annotations

from django.urls import path

from mentormemed.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("<int:pk>/", views.meeting, name="meeting"),
    path("<int:pk>/move/", views.reschedule, name="reschedule"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/held/", views.held, name="held"),
    path("<int:pk>/notes/", views.notes, name="notes"),
    path("<int:pk>/invite.ics", views.invite, name="invite"),
    path("book/<int:pk>/", views.book, name="book"),
    path("availability/", views.availability, name="availability"),
    path("availability/dates-off/", views.date_off_add, name="date_off_add"),
    path("availability/dates-off/<int:pk>/remove/", views.date_off_remove, name="date_off_remove"),
    path("feed/new/", views.feed_new, name="feed_new"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
