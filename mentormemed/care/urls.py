from __future__ import annotations

from django.urls import path

from mentormemed.care import views

app_name = "care"

urlpatterns = [
    path("mentorships/<int:pk>/report/", views.report_relationship, name="report_relationship"),
    path("mentorships/<int:pk>/concern/", views.concern, name="concern"),
    path("mentors/<int:pk>/report/", views.report_mentor, name="report_mentor"),
    path("requests/<int:pk>/report/", views.report_request, name="report_request"),
    path("blocks/<int:user_id>/lift/", views.block_lift, name="block_lift"),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("check-ins/<int:pk>/", views.checkin_answer, name="checkin_answer"),
    path("meetings/<int:pk>/no-show/", views.no_show, name="no_show"),
    path("same-need/<int:pk>/", views.duplicate, name="duplicate"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path("at-risk/<int:pk>/reach-out/", views.reach_out, name="reach_out"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/take/", views.case_take, name="case_take"),
    path("cases/<int:pk>/update/", views.case_update, name="case_update"),
    path("settings/", views.care_settings, name="settings"),
]
