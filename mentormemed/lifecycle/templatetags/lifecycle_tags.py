from __future__ import annotations

from django import template
from django.urls import reverse

from mentormemed.lifecycle import exports

register = template.Library()


@register.simple_tag
def export_status_url(export) -> str:
    """Where the progress fragment of ``export`` is polled (an institution's or a person's)."""
    if export.kind == "institution":
        return reverse("lifecycle:institution_export_status", args=[export.pk])
    return reverse("lifecycle:mine_export_status")


@register.filter
def export_step(export) -> str:
    """Where the build of ``export`` is, in the reader's language (``exports.step_label``)."""
    return exports.step_label(export)


@register.simple_tag
def export_download_url(export) -> str:
    if export.kind == "institution":
        return reverse("lifecycle:institution_download", args=[export.pk])
    return reverse("lifecycle:mine_download")
