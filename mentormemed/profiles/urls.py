from __future__ import annotations

from django.urls import path

from mentormemed.profiles import views

app_name = "profiles"

urlpatterns = [
    path("", views.me, name="me"),
    path("photo/<int:pk>/", views.photo, name="photo"),
]
