"""Seed version 1 of each instrument (wording in evaluations/defaults.py)."""

from __future__ import annotations

from django.db import migrations


def seed(apps, schema_editor):
    from mentormemed.evaluations.defaults import ALL

    Instrument = apps.get_model("evaluations", "Instrument")
    InstrumentVersion = apps.get_model("evaluations", "InstrumentVersion")
    for spec in ALL:
        instrument, created = Instrument.objects.get_or_create(
            kind=spec["kind"], defaults={"name": spec["name"], "description": spec["description"]}
        )
        if not created:
            continue
        items = [{"required": True, **item} for item in spec["items"]]
        version = InstrumentVersion.objects.create(
            instrument=instrument, number=1, intro=spec["intro"], items=items, note="First version"
        )
        instrument.current_version = version
        instrument.save(update_fields=["current_version"])


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
