from __future__ import annotations

from django.urls import path

from mentormemed.accounts import views

app_name = "accounts"

urlpatterns = [
    path("invite/<str:token>/", views.invitation, name="invitation"),
    path("account/settings/", views.account_settings, name="settings"),
    path("onboarding/agreement/", views.agreement, name="agreement"),
    path("onboarding/eligibility/", views.eligibility, name="eligibility"),
    path("onboarding/criteria/", views.criteria, name="criteria"),
]
