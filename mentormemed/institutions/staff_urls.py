from __future__ import annotations

from django.urls import path

from mentormemed.institutions import staff_views as views

app_name = "staff"

urlpatterns = [
    path("institutions/", views.institutions, name="institutions"),
    path("institutions/new/", views.institution_edit, name="institution_new"),
    path("institutions/<int:pk>/", views.institution, name="institution"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("institutions/<int:pk>/subscriptions/", views.subscription_start, name="subscription_start"),
    path("institutions/<int:pk>/invite-admin/", views.invite_admin, name="invite_admin"),
    path("subscriptions/<int:pk>/<str:action>/", views.subscription_action, name="subscription_action"),
    path("price-bands/", views.price_bands, name="price_bands"),
    path("price-bands/<int:pk>/", views.price_bands, name="price_band_edit"),
    path("agreements/", views.agreements, name="agreements"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.csv", views.audit_log_export, name="audit_export"),
]
