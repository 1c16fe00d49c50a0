"""Training, CME, verification, the admin overview and the staff pages, under one include."""

from __future__ import annotations

from django.urls import path

from mentormemed.training import staff_views, views

app_name = "training"

urlpatterns = [
    # learners (mentors and mentees)
    path("training/", views.modules, name="modules"),
    path("training/<slug:slug>/", views.module, name="module"),
    path("training/<slug:slug>/check/", views.check, name="check"),
    path("training/<slug:slug>/attest/", views.attest, name="attest"),
    path("training/<slug:slug>/resources/<int:pk>/", views.resource, name="resource"),
    # CME (mentors)
    path("cme/", views.cme, name="cme"),
    path("cme/claim/<slug:slug>/", views.claim, name="claim"),
    path("cme/certificates/<str:number>.pdf", views.certificate, name="certificate"),
    path("cme/transcript.pdf", views.transcript_pdf, name="transcript_pdf"),
    # public verification of a certificate
    path("verify/cme/", views.verify, name="verify"),
    path("verify/cme/<str:number>/", views.verify_number, name="verify_number"),
    # institution admins
    path("manage/training/", views.institution, name="institution"),
    path("manage/training/claims.csv", views.institution_claims_csv, name="institution_claims_csv"),
    # staff
    path("staff/training/modules/", staff_views.modules, name="staff_modules"),
    path("staff/training/modules/new/", staff_views.module_new, name="staff_module_new"),
    path("staff/training/modules/<int:pk>/", staff_views.module_edit, name="staff_module"),
    path("staff/training/modules/<int:pk>/preview/", staff_views.module_preview, name="staff_module_preview"),
    path("staff/training/modules/<int:pk>/publish/", staff_views.module_publish, name="staff_module_publish"),
    path("staff/training/modules/<int:pk>/required/", staff_views.module_required, name="staff_module_required"),
    path("staff/training/modules/<int:pk>/discard/", staff_views.draft_discard, name="staff_draft_discard"),
    path(
        "staff/training/modules/<int:pk>/translations/<str:language>/",
        staff_views.module_translation,
        name="staff_module_translation",
    ),
    path("staff/training/modules/<int:pk>/questions/new/", staff_views.question_edit, name="staff_question_new"),
    path("staff/training/modules/<int:pk>/questions/<int:qpk>/", staff_views.question_edit, name="staff_question"),
    path(
        "staff/training/modules/<int:pk>/questions/<int:qpk>/delete/",
        staff_views.question_delete,
        name="staff_question_delete",
    ),
    path("staff/training/modules/<int:pk>/resources/", staff_views.resource_add, name="staff_resource_add"),
    path(
        "staff/training/modules/<int:pk>/resources/<int:rpk>/delete/",
        staff_views.resource_delete,
        name="staff_resource_delete",
    ),
    path("staff/training/claims/", staff_views.claims, name="staff_claims"),
    path("staff/training/claims/export.<str:fmt>", staff_views.claims_export, name="staff_claims_export"),
]
