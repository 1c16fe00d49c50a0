"""Trigram index for free-text mentor search on PostgreSQL (a no-op on SQLite)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS profiles_mentor_search_trgm ON profiles_mentorprofile "
    "USING gin (search_text gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS profiles_mentor_search_trgm"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("profiles", "0004_menteeprofile_home_shared_and_more")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
