from __future__ import annotations

from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "mentormemed.provisioning"
    label = "provisioning"
    verbose_name = "Provisioning (SCIM and roster sync)"
