"""On PostgreSQL the mentor text's full-text vector is stored (a generated column with its own
GIN index) instead of computed per row: a free-text search that the planner answered by scanning
spent ~0.1 ms per mentor recomputing ``to_tsvector`` (3 s at 30,000 mentors, issue 14)."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE profiles_mentorsearchtext ADD COLUMN IF NOT EXISTS document tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED",
    "CREATE INDEX IF NOT EXISTS profiles_mentorsearchtext_document ON profiles_mentorsearchtext USING gin (document)",
    "DROP INDEX IF EXISTS profiles_mentorsearchtext_fts",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS profiles_mentorsearchtext_fts ON profiles_mentorsearchtext "
    "USING gin (to_tsvector('english', text))",
    "DROP INDEX IF EXISTS profiles_mentorsearchtext_document",
    "ALTER TABLE profiles_mentorsearchtext DROP COLUMN IF EXISTS document",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("profiles", "0013_premed_training_level")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
