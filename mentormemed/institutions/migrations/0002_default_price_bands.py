"""Starting price table (R3) and mentor-supply commitments (R32); staff edit it in the product."""

from decimal import Decimal

from django.db import migrations

BANDS = [
    ("Small", 0, 250, Decimal("12000.00"), 25),
    ("Medium", 251, 750, Decimal("24000.00"), 50),
    ("Large", 751, None, Decimal("36000.00"), 75),
]


def create(apps, schema_editor):
    PriceBand = apps.get_model("institutions", "PriceBand")
    if PriceBand.objects.exists():
        return
    for name, low, high, fee, mentors in BANDS:
        PriceBand.objects.create(
            name=name, min_headcount=low, max_headcount=high, annual_fee=fee, mentor_commitment=mentors
        )


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
