"""The copied institution is required; one partial index answers "who is searchable"."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("profiles", "0006_mentor_search_denormalised")]

    operations = [
        migrations.AlterField(
            model_name="mentorprofile",
            name="institution",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="institutions.institution",
            ),
        ),
        migrations.RemoveIndex(model_name="mentorprofile", name="profiles_me_scope_cd3c72_idx"),
        migrations.AddIndex(
            model_name="mentorprofile",
            index=models.Index(
                condition=Q(
                    ("is_complete", True),
                    ("membership_active", True),
                    ("search_consent", True),
                    ("suspended_at__isnull", True),
                ),
                fields=[
                    "institution",
                    "scope",
                    "median_response_hours",
                    "id",
                    "accepting_new",
                    "active_mentee_count",
                    "capacity",
                ],
                name="mentor_searchable",
            ),
        ),
    ]
