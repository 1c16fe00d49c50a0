from __future__ import annotations

from django.urls import path

from mentormemed.institutions import views

app_name = "institutions"

urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/status/", views.member_status, name="member_status"),
    path("members/<int:pk>/review/", views.member_review, name="member_review"),
    path("invite/", views.invite, name="invite"),
    path("invite/roster/", views.roster, name="roster"),
    path("invite/roster/<int:pk>/", views.roster_import, name="roster_import"),
    path("invite/roster/<int:pk>/<str:action>/", views.roster_import_action, name="roster_import_action"),
    path("invitations/<int:pk>/<str:action>/", views.invitation_action, name="invitation_action"),
    path("criteria/", views.criteria, name="criteria"),
    path("subscription/", views.subscription, name="subscription"),
    path("subscription/renew/", views.subscription_renew, name="subscription_renew"),
]
