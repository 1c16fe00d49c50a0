from __future__ import annotations

from django.urls import path

from mentormemed.lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("manage/data/", views.institution, name="institution"),
    path("manage/data/export/", views.institution_export, name="institution_export"),
    path("manage/data/exports/<int:pk>/", views.institution_export_status, name="institution_export_status"),
    path("manage/data/exports/<int:pk>/download/", views.institution_download, name="institution_download"),
    path("my-data/", views.mine, name="mine"),
    path("my-data/export/", views.mine_export, name="mine_export"),
    path("my-data/export/status/", views.mine_export_status, name="mine_export_status"),
    path("my-data/export/download/", views.mine_download, name="mine_download"),
    path("my-data/erasure/", views.mine_erasure, name="mine_erasure"),
    path("staff/data/", views.staff_index, name="staff_index"),
    path("staff/data/institutions/<int:pk>/", views.staff_institution, name="staff_institution"),
    path("staff/data/institutions/<int:pk>/<str:action>/", views.staff_closeout_action, name="staff_closeout_action"),
    path("staff/data/closeouts/<int:pk>/certificate.pdf", views.staff_certificate, name="staff_certificate"),
    path("staff/data/erasure/<int:pk>/", views.staff_erasure, name="staff_erasure"),
]
