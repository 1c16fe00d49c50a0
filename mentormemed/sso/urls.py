from __future__ import annotations

from django.urls import path

from mentormemed.sso import views

app_name = "sso"

urlpatterns = [
    path("sso/", views.find, name="find"),
    path("sso/privacy/", views.privacy, name="privacy"),
    path("sso/<slug:slug>/metadata/", views.metadata, name="metadata"),
    path("manage/sign-in/", views.configure, name="configure"),
    path("staff/institutions/<int:pk>/sign-in/", views.staff_configure, name="staff_configure"),
]
