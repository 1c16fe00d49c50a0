from __future__ import annotations

from django.urls import path

from mentormemed.provisioning import views

app_name = "provisioning"

urlpatterns = [
    path("provisioning/", views.index, name="index"),
]
