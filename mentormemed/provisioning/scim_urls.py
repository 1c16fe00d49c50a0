from __future__ import annotations

app_name = "scim"
urlpatterns: list = []
