from __future__ import annotations

from django.urls import path

from mentormemed.provisioning import views

app_name = "provisioning"

urlpatterns = [
    path("provisioning/", views.index, name="index"),
    path("provisioning/tokens/", views.token_create, name="token_create"),
    path("provisioning/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("provisioning/roster/", views.roster_upload, name="roster_upload"),
    path("provisioning/roster/<int:pk>/", views.sync, name="sync"),
    path("provisioning/roster/<int:pk>/<str:action>/", views.sync_action, name="sync_action"),
]
