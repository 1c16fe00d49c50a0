from __future__ import annotations

from django.urls import path

from mentormemed.programs import group_views, national_views, views

app_name = "programs"

urlpatterns = [
    # institution admins
    path("manage/", views.admin_list, name="admin_list"),
    path("manage/new/", views.admin_create, name="admin_create"),
    path("manage/<int:pk>/", views.admin_detail, name="admin_detail"),
    path("manage/<int:pk>/edit/", views.admin_edit, name="admin_edit"),
    path("manage/<int:pk>/invite/", views.admin_invite, name="admin_invite"),
    path("manage/<int:pk>/solve/", views.round_solve, name="round_solve"),
    path("manage/rounds/<int:pk>/", views.round_review, name="round"),
    path("manage/rounds/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("manage/proposals/<int:pk>/lock/", views.proposal_lock, name="proposal_lock"),
    path("manage/proposals/<int:pk>/swap/", views.proposal_swap, name="proposal_swap"),
    path("manage/network/<int:pk>/", national_views.admin_national, name="admin_national"),
    # platform staff: national programs across the network
    path("national/", national_views.staff_list, name="staff_list"),
    path("national/new/", national_views.staff_create, name="staff_create"),
    path("national/<int:pk>/", national_views.staff_detail, name="staff_detail"),
    path("national/<int:pk>/invite/", national_views.staff_invite, name="staff_invite"),
    path("national/<int:pk>/solve/", national_views.staff_solve, name="staff_solve"),
    path("national/rounds/<int:pk>/", national_views.staff_round, name="staff_round"),
    path("national/rounds/<int:pk>/publish/", national_views.staff_round_publish, name="staff_round_publish"),
    path("national/proposals/<int:pk>/lock/", national_views.staff_proposal_lock, name="staff_proposal_lock"),
    path("national/proposals/<int:pk>/swap/", national_views.staff_proposal_swap, name="staff_proposal_swap"),
    path("manage/circles/", group_views.admin_circles, name="admin_circles"),
    path("manage/circles/<int:pk>/", group_views.admin_circle, name="admin_circle"),
    path("manage/circles/<int:pk>/seats/", group_views.admin_circle_seat_add, name="admin_circle_seat_add"),
    path(
        "manage/circles/seats/<int:pk>/remove/", group_views.admin_circle_seat_remove, name="admin_circle_seat_remove"
    ),
    path("manage/events/", group_views.admin_events, name="admin_events"),
    path("manage/events/<int:pk>/", group_views.admin_event, name="admin_event"),
    path("manage/events/<int:pk>/schedule/", group_views.event_schedule, name="event_schedule"),
    # members
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/join/", views.join, name="join"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/preferences/", views.preference, name="preference"),
    path("introductions/<int:pk>/", views.introduction, name="introduction"),
    path("mentorships/<int:pk>/milestones/", views.milestone_done, name="milestone_done"),
    path("circles/", group_views.circles, name="circles"),
    path("circles/<int:pk>/", group_views.circle, name="circle"),
    path("circles/<int:pk>/message/", group_views.circle_message, name="circle_message"),
    path("circles/<int:pk>/goals/", group_views.circle_goal_add, name="circle_goal_add"),
    path("circles/goals/<int:pk>/", group_views.circle_goal_progress, name="circle_goal_progress"),
    path("circles/<int:pk>/book/", group_views.circle_book, name="circle_book"),
    path("circles/meetings/<int:pk>/cancel/", group_views.circle_meeting_cancel, name="circle_meeting_cancel"),
    path("circles/meetings/<int:pk>/held/", group_views.circle_meeting_held, name="circle_meeting_held"),
    path("sessions/", group_views.sessions, name="sessions"),
    path("sessions/<int:pk>/book/", group_views.session_book, name="session_book"),
    path("sessions/<int:pk>/cancel/", group_views.session_cancel, name="session_cancel"),
    path("events/", group_views.events, name="events"),
    path("events/<int:pk>/", group_views.event, name="event"),
    path("questions/", group_views.questions, name="questions"),
    path("questions/<int:pk>/", group_views.question, name="question"),
]
