from __future__ import annotations

from django.urls import path

from mentormemed.profiles import staff_views, views

app_name = "profiles"

urlpatterns = [
    path("", views.me, name="me"),
    path("photo/<int:pk>/", views.photo, name="photo"),
    path("staff/taxonomy/", staff_views.taxonomy, name="staff_taxonomy"),
    path("staff/taxonomy/<str:list_key>/<int:pk>/", staff_views.taxonomy_toggle, name="staff_taxonomy_toggle"),
]
