from __future__ import annotations

from django.urls import path

from mentormemed.evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("", views.index, name="index"),
    path("mentorships/<int:pk>/", views.evaluate, name="evaluate"),
    path("surveys/<str:kind>/", views.survey, name="survey"),
    path("feedback/", views.feedback, name="feedback"),
    path("instruments/", views.instruments, name="instruments"),
    path("instruments/<int:pk>/", views.instrument, name="instrument"),
    path(
        "instruments/<int:pk>/translations/<str:language>/", views.instrument_translation, name="instrument_translation"
    ),
    path("graduates/<str:token>/", views.graduate, name="graduate"),
]
