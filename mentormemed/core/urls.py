from __future__ import annotations

from django.urls import path

from mentormemed.core import views

app_name = "core"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("switch-role/", views.switch_role, name="switch_role"),
    path("healthz", views.healthz, name="healthz"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
]
