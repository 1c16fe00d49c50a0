"""No two live terms (not ended early) of one institution may overlap (R3, issue 12).

PostgreSQL: an exclusion constraint over (institution_id WITH =, daterange(term_start, term_end,
'[]') WITH &&) — btree_gist supplies the equality part. SQLite has no exclusion constraints, so two
triggers refuse an overlapping insert or update with the same name in the message. Either way the
service translates the error by constraint name ("overlaps" vs "invoice number").
"""

from __future__ import annotations

from django.db import migrations

CONSTRAINT = "subscription_no_overlap"

_OVERLAP = """EXISTS (SELECT 1 FROM institutions_subscription s
    WHERE s.institution_id = NEW.institution_id AND s.id IS NOT NEW.id AND s.ended_on IS NULL
    AND s.term_start <= NEW.term_end AND s.term_end >= NEW.term_start)"""


class VendorSQL(migrations.RunSQL):
    """``RunSQL`` that runs only on one database vendor."""

    def __init__(self, vendor: str, *args, **kwargs):
        self.vendor = vendor
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("institutions", "0004_invoice_billing_fields")]

    operations = [
        VendorSQL(
            "postgresql",
            sql=[
                "CREATE EXTENSION IF NOT EXISTS btree_gist",
                f"""ALTER TABLE institutions_subscription ADD CONSTRAINT {CONSTRAINT}
                    EXCLUDE USING gist (institution_id WITH =, daterange(term_start, term_end, '[]') WITH &&)
                    WHERE (ended_on IS NULL)""",
            ],
            reverse_sql=[f"ALTER TABLE institutions_subscription DROP CONSTRAINT IF EXISTS {CONSTRAINT}"],
        ),
        VendorSQL(
            "sqlite",
            sql=[
                f"""CREATE TRIGGER {CONSTRAINT}_insert BEFORE INSERT ON institutions_subscription
                    WHEN NEW.ended_on IS NULL AND {_OVERLAP}
                    BEGIN SELECT RAISE(ABORT, '{CONSTRAINT}'); END""",
                f"""CREATE TRIGGER {CONSTRAINT}_update BEFORE UPDATE ON institutions_subscription
                    WHEN NEW.ended_on IS NULL AND {_OVERLAP}
                    BEGIN SELECT RAISE(ABORT, '{CONSTRAINT}'); END""",
            ],
            reverse_sql=[
                f"DROP TRIGGER IF EXISTS {CONSTRAINT}_insert",
                f"DROP TRIGGER IF EXISTS {CONSTRAINT}_update",
            ],
        ),
    ]
