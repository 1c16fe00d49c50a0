from __future__ import annotations

from django.urls import path

from mentormemed.core import probes, views

app_name = "core"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("switch-role/", views.switch_role, name="switch_role"),
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("metrics", probes.metrics, name="metrics"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
]
