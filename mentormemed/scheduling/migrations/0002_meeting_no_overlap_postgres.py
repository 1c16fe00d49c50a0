"""PostgreSQL only: no two live meetings of one mentor may overlap (R17).

An exclusion constraint over (mentor_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
needs btree_gist for the equality part. SQLite has no such constraint; there the
booking service checks for overlaps inside a transaction that holds the mentor's
write lock. The operation is a no-op on other databases, so one migration history
serves both.
"""

from __future__ import annotations

from django.db import migrations

CONSTRAINT = "meeting_no_overlap_per_mentor"


class PostgresOnlySQL(migrations.RunSQL):
    """``RunSQL`` that runs only when the connection is PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [
        PostgresOnlySQL(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS btree_gist",
                f"""ALTER TABLE scheduling_meeting ADD CONSTRAINT {CONSTRAINT}
                    EXCLUDE USING gist (mentor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
                    WHERE (status IN ('scheduled', 'held'))""",
            ],
            # The extension may serve other constraints, so going back drops only ours.
            reverse_sql=[f"ALTER TABLE scheduling_meeting DROP CONSTRAINT IF EXISTS {CONSTRAINT}"],
        ),
    ]
