"""Search matching (R10): how typed text and stored text are made comparable.

One definition for every search box (mentor search, admin member search, filters of
admin tables), the same on PostgreSQL and SQLite:

1. **fold** — Unicode compatibility decomposition, accents dropped, lower case,
   punctuation turned into spaces ("Hernández" → "hernandez", "Ob/Gyn" → "ob gyn");
2. **spelling variants** — British and other spellings become the American one used
   by the taxonomy ("paediatric" → "pediatric", "orthopaedic" → "orthopedic",
   "haematology" → "hematology", "anaesthesia" → "anesthesia", …), and a few
   abbreviations people type become the word they stand for ("peds", "obgyn", "ent");
3. **light stemming of the typed word** — a plural or "-ing" ending is dropped so that
   "residencies" finds "residency" and "surgeons" finds "surgeon".

A stored document is folded and variant-normalised once when it is written; a typed
query goes through the same steps, and every typed word must be found at the start of
a word of the document (so "ped" finds "pediatrics", but "man" does not find "Roman").
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.db.models import F, Func, Model, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Concat

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.expressions import Combinable
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

M = TypeVar("M", bound=Model)

# Applied inside words, after folding. Keys are British (or other) spellings.
VARIANTS: tuple[tuple[str, str], ...] = (
    ("orthopaed", "orthoped"),
    ("paediatr", "pediatr"),
    ("paed", "ped"),
    ("haemat", "hemat"),
    ("haemo", "hemo"),
    ("haem", "hem"),
    ("anaesth", "anesth"),
    ("anaem", "anem"),
    ("gynaec", "gynec"),
    ("oesoph", "esoph"),
    ("oestr", "estr"),
    ("oedema", "edema"),
    ("foetal", "fetal"),
    ("foetus", "fetus"),
    ("ischaem", "ischem"),
    ("leukaem", "leukem"),
    ("diarrhoea", "diarrhea"),
    ("tumour", "tumor"),
    ("behaviour", "behavior"),
    ("counsell", "counsel"),
    ("programme", "program"),
    ("centre", "center"),
    ("ageing", "aging"),
    ("judgement", "judgment"),
    ("licence", "license"),
    ("specialis", "specializ"),
    ("organis", "organiz"),
    ("hospitalis", "hospitaliz"),
)
# Whole words typed as shorthand.
ABBREVIATIONS = {
    "peds": "pediatrics",
    "obgyn": "obstetrics gynecology",
    "ent": "otolaryngology",
}
_NON_WORD = re.compile(r"[^0-9a-z]+")
_SUFFIXES = ("ies", "es", "s", "ing")


def fold(text: str | None) -> str:
    """Accents dropped, lower case, punctuation as spaces: 'Hernández-López' → 'hernandez lopez'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.replace("ß", "ss").replace("ø", "o").replace("ł", "l").replace("đ", "d").replace("æ", "ae")
    return " ".join(_NON_WORD.split(bare.casefold())).strip()


def normalise_word(word: str) -> str:
    for variant, standard in VARIANTS:
        if variant in word:
            word = word.replace(variant, standard)
    return word


def document(*parts: str | None) -> str:
    """The stored, searchable form of some text: folded, variants normalised, one space between words."""
    words = fold(" ".join(p for p in parts if p)).split()
    return " ".join(normalise_word(w) for w in words)


def _stem(word: str) -> str:
    """Drop one plural or '-ing' ending so the rest is a prefix of the other forms (≥ 4 letters kept)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]  # residencies → residenc, a prefix of residency
    return word


def query_words(text: str | None, limit: int = 6) -> list[str]:
    """The typed words to look for, each normalised like a document; at most ``limit``."""
    words: list[str] = []
    for word in fold(text).split():
        for part in ABBREVIATIONS.get(word, word).split():
            stemmed = _stem(normalise_word(part))
            if stemmed not in words:
                words.append(stemmed)
    return words[:limit]


def matches(doc: str, words: list[str]) -> bool:
    """Python twin of the database test: every word starts a word of ``doc`` (both normalised)."""
    padded = f" {doc}"
    return all(f" {w}" in padded for w in words)


# ---------------------------------------------------------------- the same folding inside the database


class Folded(Func):
    """``fold`` of a column in SQL, for searching columns that are not stored folded (people's names).

    PostgreSQL: ``lower(unaccent(…))`` (the ``unaccent`` extension, created by profiles 0011).
    SQLite: the Python ``fold`` itself, registered on every connection (``register_sqlite_fold``).
    """

    function = "MMM_FOLD"
    output_field = TextField()

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> _AsSqlType:
        return self.as_sql(compiler, connection, template="lower(unaccent(%(expressions)s))", **extra)


def register_sqlite_fold(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("MMM_FOLD", 1, fold, deterministic=True)


def name_search(qs: QuerySet[M], text: str, *fields: str) -> QuerySet[M]:
    """Rows where every typed word appears (accents and case forgiven) in one of ``fields``:
    "Priya Mahmoud" finds first name Priya + last name Mahmoud; "mahmoud@" finds the e-mail."""
    words = fold(text).split()[:6]
    if not words:
        return qs
    parts: list[Combinable] = []
    for name in fields:
        parts += [Coalesce(F(name), Value("")), Value(" ")]
    # An annotation adds a column and keeps the rows' model (the stubs cannot say so for a type variable).
    qs = cast("QuerySet[M]", qs.annotate(_folded_names=Folded(Concat(*parts, output_field=TextField()))))
    for word in words:
        qs = qs.filter(_folded_names__contains=word)
    return qs
