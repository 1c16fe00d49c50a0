from __future__ import annotations

from django.urls import path

from mentormemed.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<str:table>.csv", views.export_csv, name="export"),
    path("views/<slug:slug>/", views.insight, name="insight"),
    path("national/", views.national, name="national"),
    path("national/views/<slug:slug>/", views.national_insight, name="national_insight"),
    path("national/export/<str:table>.csv", views.national_export, name="national_export"),
    path("reward/", views.reward, name="reward"),
    path("reward/threshold/", views.reward_threshold, name="reward_threshold"),
    path("reward.csv", views.reward_csv, name="reward_csv"),
    path("reward/<int:pk>/letter.pdf", views.reward_letter, name="reward_letter"),
    path("research/", views.research, name="research"),
    path("research/<int:pk>/irb", views.research_document, name="research_document"),
    path("research/<int:pk>/agreement/", views.research_agreement, name="research_agreement"),
    path("research/<int:pk>/export.zip", views.research_export, name="research_export"),
    path("research/staff/", views.staff_research, name="staff_research"),
    path("research/staff/<int:pk>/", views.staff_research_detail, name="staff_research_detail"),
    path("research/staff/<int:pk>/export.zip", views.staff_research_export, name="staff_research_export"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:pk>.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("staff/invoices/<int:pk>.pdf", views.staff_invoice_pdf, name="staff_invoice_pdf"),
    path("staff/invoices/<int:pk>/issue/", views.staff_invoice_issue, name="staff_invoice_issue"),
]
