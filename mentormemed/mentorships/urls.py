from __future__ import annotations

from django.urls import path

from mentormemed.mentorships import views

app_name = "mentorships"

urlpatterns = [
    path("", views.relationships, name="relationships"),
    path("<int:pk>/", views.relationship, name="relationship"),
    path("<int:pk>/message/", views.message_send, name="message_send"),
    path("<int:pk>/compact/", views.compact_save, name="compact_save"),
    path("<int:pk>/compact/confirm/", views.compact_confirm, name="compact_confirm"),
    path("<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("goals/<int:pk>/progress/", views.goal_progress, name="goal_progress"),
    path("<int:pk>/end/", views.relationship_end, name="end"),
    path("<int:pk>/sponsor/", views.sponsor, name="sponsor"),
    path("<int:pk>/stage/", views.stage, name="stage"),
    path("<int:pk>/checkin/", views.checkin, name="checkin"),
    path("<int:pk>/rematch/", views.rematch, name="rematch"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("mentors/<int:mentor_id>/request/", views.request_new, name="request_new"),
    path("network/", views.network, name="network"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/accept/", views.request_answer, {"decision": "accept"}, name="request_accept"),
    path("inbox/<int:pk>/decline/", views.request_answer, {"decision": "decline"}, name="request_decline"),
    path("suspended/", views.suspended, name="suspended"),
    path("suspended/<int:mentor_id>/reinstate/", views.reinstate, name="reinstate"),
]
