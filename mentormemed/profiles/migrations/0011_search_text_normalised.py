"""Free text is stored normalised (``core.text``: accents folded, spelling variants, a leading
space so a word start can be matched). On PostgreSQL the ``unaccent`` extension (member search)
and a full-text index on the mentor text join the trigram index of 0009."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE INDEX IF NOT EXISTS profiles_mentorsearchtext_fts ON profiles_mentorsearchtext "
    "USING gin (to_tsvector('english', text))",
]
BACKWARD = ["DROP INDEX IF EXISTS profiles_mentorsearchtext_fts"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


def normalise(apps, schema_editor):
    from mentormemed.core.text import document

    MentorSearchText = apps.get_model("profiles", "MentorSearchText")
    for row in MentorSearchText.objects.all().iterator():
        MentorSearchText.objects.filter(pk=row.pk).update(text=" " + document(row.text))


class Migration(migrations.Migration):
    dependencies = [("profiles", "0010_mentor_response_count")]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
        migrations.RunPython(normalise, migrations.RunPython.noop),
    ]
