"""Free text moves to its own narrow table (``MentorSearchText``); 0009 drops the old column.

Copied with one INSERT … SELECT. The constraints are checked at once so that 0009 may
alter the tables in the same ``migrate`` run on PostgreSQL.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_texts(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO profiles_mentorsearchtext (mentor_id, text) SELECT id, search_text FROM profiles_mentorprofile"
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def copy_back(apps, schema_editor):
    MentorProfile = apps.get_model("profiles", "MentorProfile")
    MentorSearchText = apps.get_model("profiles", "MentorSearchText")
    for row in MentorSearchText.objects.all():
        MentorProfile.objects.filter(pk=row.mentor_id).update(search_text=row.text)


class Migration(migrations.Migration):
    dependencies = [("profiles", "0007_mentor_searchable_index")]

    operations = [
        migrations.CreateModel(
            name="MentorSearchText",
            fields=[
                (
                    "mentor",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="profiles.mentorprofile",
                    ),
                ),
                ("text", models.TextField(blank=True)),
            ],
        ),
        migrations.RunPython(copy_texts, copy_back),
    ]
