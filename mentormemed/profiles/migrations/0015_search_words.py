"""Free text answered by one index (issue 14), on PostgreSQL:

- The stored vector holds each word as written (the ``simple`` configuration) as well as its English
  stem, so "a word starts a word of the text" is a prefix query (``word:*``) on the same GIN index as
  the stemmed match: every typed word of a search is one ``@@`` condition instead of a ``LIKE`` over
  each candidate's whole text. The vector is stripped of word positions (nothing ranks by them), which
  makes it a third smaller and keeps most rows out of the TOAST table.
- The typo vocabulary (``SearchWord``): the distinct words of the mentors' texts, trigram-indexed,
  filled from the texts already stored. A typed word is corrected against it instead of against every
  whole text (1.3 s for a typo at 30,000 mentors, and ~20 ms of planning in every statement that
  carried the similarity operator).
"""

from django.db import migrations, models

SHORTEST, LONGEST = 4, 64  # profiles.vocabulary.SEARCH_WORD_LENGTHS when this was written


VECTOR = "strip(to_tsvector('simple', text) || to_tsvector('english', text))"  # no positions: never ranked by them
STEMS_ONLY = "to_tsvector('english', text)"  # profiles 0014


def _document(expression):
    return [
        "DROP INDEX IF EXISTS profiles_mentorsearchtext_document",
        "ALTER TABLE profiles_mentorsearchtext DROP COLUMN IF EXISTS document",
        f"ALTER TABLE profiles_mentorsearchtext ADD COLUMN document tsvector GENERATED ALWAYS AS ({expression}) STORED",
        "CREATE INDEX profiles_mentorsearchtext_document ON profiles_mentorsearchtext USING gin (document)",
    ]


def back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in _document(STEMS_ONLY):
            schema_editor.execute(sql)


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in _document(VECTOR):
            schema_editor.execute(sql)
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS profiles_searchword_trgm ON profiles_searchword USING gin (word gin_trgm_ops)"
        )
        schema_editor.execute(
            "INSERT INTO profiles_searchword (word) SELECT DISTINCT w FROM profiles_mentorsearchtext, "
            "regexp_split_to_table(btrim(text), ' +') AS w WHERE length(w) BETWEEN %s AND %s ON CONFLICT DO NOTHING",
            [SHORTEST, LONGEST],
        )
        return
    SearchWord = apps.get_model("profiles", "SearchWord")
    MentorSearchText = apps.get_model("profiles", "MentorSearchText")
    words = set()
    for text in MentorSearchText.objects.values_list("text", flat=True).iterator():
        words.update(w for w in text.split() if SHORTEST <= len(w) <= LONGEST)
    SearchWord.objects.bulk_create([SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("profiles", "0014_search_text_document")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[("word", models.CharField(max_length=64, primary_key=True, serialize=False))],
        ),
        migrations.RunPython(fill, back),
    ]
