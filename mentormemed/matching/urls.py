from __future__ import annotations

from django.urls import path

from mentormemed.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.search, name="search"),
    path("recommended/", views.recommended, name="recommended"),
    path("<int:pk>/", views.mentor_detail, name="mentor"),
]
