"""Copy each mentor's institution and membership status onto the profile for search.

Search decided visibility by joining every mentor profile to its membership; the two
copies let it read one partial index instead (docs/search-scaling.md). The column
becomes NOT NULL in 0007.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def backfill(apps, schema_editor):
    MentorProfile = apps.get_model("profiles", "MentorProfile")
    Membership = apps.get_model("institutions", "Membership")
    membership = Membership.objects.filter(pk=OuterRef("membership_id"))
    MentorProfile.objects.update(institution_id=Subquery(membership.values("institution_id")[:1]))
    active = Membership.objects.filter(status="active", role="mentor").values("pk")
    MentorProfile.objects.filter(membership_id__in=active).update(membership_active=True)
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now: PostgreSQL will not create the column's index
        # (deferred to the end of this migration) while trigger events are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0002_default_price_bands"),
        ("profiles", "0005_search_text_trigram"),
    ]

    operations = [
        migrations.AddField(
            model_name="mentorprofile",
            name="institution",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="institutions.institution",
            ),
        ),
        migrations.AddField(
            model_name="mentorprofile",
            name="membership_active",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="The membership is an active mentor membership (denormalised)",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
