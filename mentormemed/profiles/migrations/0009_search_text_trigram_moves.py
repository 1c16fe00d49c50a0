"""The profile's ``search_text`` column goes (its copy lives in ``MentorSearchText``), and the
trigram index of 0005 is rebuilt on the new table (PostgreSQL only, a no-op on SQLite)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS profiles_mentorsearchtext_trgm ON profiles_mentorsearchtext "
    "USING gin (text gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS profiles_mentorsearchtext_trgm"]  # going back, 0005's index is not rebuilt


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("profiles", "0008_mentorsearchtext")]

    operations = [
        # Dropping the column drops its trigram index (0005) with it.
        migrations.RemoveField(model_name="mentorprofile", name="search_text"),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
