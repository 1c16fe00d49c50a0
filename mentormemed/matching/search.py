"""Mentor search (R10): filters on shared characteristics, free text, facet counts, best-match order.

All filters combine with AND, so a facet's count is exactly the number of results
you get by adding it. Counts and order read the facet index only (shared values),
so private values cannot change what anyone sees (R8).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from mentormemed.core.clock import platform_today
from mentormemed.core.lookups import id_array
from mentormemed.core.text import query_words
from mentormemed.institutions.models import Membership
from mentormemed.matching.index import catalog, group_label, index_version
from mentormemed.matching.models import MentorFacet
from mentormemed.matching.selectors import (
    Wishes,
    explain,
    facet_keys_for,
    for_cards,
    hidden_mentor_profiles,
    mentee_wishes,
    not_full,
    own_mentor_profiles,
    searchable_anywhere,
    searchable_mentors,
    without_parents,
)
from mentormemed.profiles import responsiveness
from mentormemed.profiles.models import MentorProfile, MentorSearchText, Scope, SearchWord

PER_PAGE = 20
COUNTS_TTL = 60  # seconds
MAX_FILTERS = 30
MAX_WORDS = 6
SORTS = {"best": _("Best match"), "responsive": _("Most responsive"), "name": _("Name")}
SCOPES = {"": _("Local and national"), "local": _("My institution only"), "national": _("Other institutions only")}
AREA_MODES = {
    "all": _("offer every area I chose (fewer mentors)"),
    "any": _("offer at least one of them (more mentors)"),
}


@dataclass
class SearchParams:
    keys: list[str] = field(default_factory=list)
    q: str = ""
    scope: str = ""
    sort: str = "best"
    available: bool = False
    page: int = 1
    areas: str = "all"  # several areas of need: "all" narrows (AND), "any" widens (OR)

    @property
    def area_keys(self) -> list[str]:
        return [k for k in self.keys if k.startswith("area:")]

    @property
    def widens_areas(self) -> bool:
        return self.areas == "any" and len(self.area_keys) > 1

    def without_areas(self) -> SearchParams:
        return replace(self, keys=[k for k in self.keys if not k.startswith("area:")])

    @classmethod
    def from_query(cls, data) -> SearchParams:
        known = catalog()
        keys = [k for k in dict.fromkeys(data.getlist("f")) if k in known][:MAX_FILTERS]
        sort = data.get("sort", "best")
        scope = data.get("scope", "")
        try:
            page = max(int(data.get("page", 1)), 1)
        except ValueError:
            page = 1
        return cls(
            keys=keys,
            q=" ".join(data.get("q", "").split())[:200],
            scope=scope if scope in SCOPES else "",
            sort=sort if sort in SORTS else "best",
            available=data.get("available") == "1",
            page=page,
            areas="any" if data.get("areas") == "any" else "all",
        )

    def as_log(self) -> dict:
        return {
            "f": self.keys,
            "q": self.q,
            "scope": self.scope,
            "sort": self.sort,
            "available": self.available,
            "page": self.page,
            "areas": self.areas,
        }


@dataclass
class FacetValue:
    key: str
    label: str
    count: int
    selected: bool


@dataclass
class FacetGroup:
    key: str
    label: str
    values: list[FacetValue]


@dataclass
class Hit:
    mentor: MentorProfile
    reasons: list[str]
    shared: list[str]
    finishing: bool = False  # R7: cannot accept requests until their required training is done


@dataclass
class SearchResult:
    page: Page
    hits: list[Hit]
    groups: list[FacetGroup]
    total: int
    search_id: int | None = None

    @property
    def selected(self) -> list[tuple[str, str]]:
        return [(g.label, v.label) for g in self.groups for v in g.values if v.selected]


def filtered_mentors(*, viewer: Membership | None, params: SearchParams) -> QuerySet[MentorProfile]:
    """Mentors matching ``params`` that ``viewer`` may see (``None``: every searchable mentor, any scope)."""
    qs = searchable_mentors(viewer=viewer) if viewer is not None else searchable_anywhere()
    if params.scope == "local":
        qs = qs.filter(institution_id=viewer.institution_id)
    elif params.scope == "national":
        qs = qs.exclude(institution_id=viewer.institution_id)
    if params.available:
        qs = not_full(qs)
    words = query_words(params.q, MAX_WORDS)
    if words:
        qs = qs.filter(text_match(words))
    for key in params.keys:
        if params.widens_areas and key.startswith("area:"):
            continue
        qs = qs.filter(pk__in=MentorFacet.objects.filter(key=key).values("mentor_id"))
    if params.widens_areas:
        qs = qs.filter(pk__in=MentorFacet.objects.filter(key__in=params.area_keys).values("mentor_id"))
    return qs


def shared_key(kind: str, *parts: object) -> str:
    """The cache key of a result every viewer shares (typo corrections, free-text matches, national
    counts): what it was computed from, and the index version, so any profile change retires it."""
    return f"matching:{kind}:" + hashlib.sha1(json.dumps([*parts, index_version()]).encode()).hexdigest()


TYPO_MIN_LENGTH = 5  # shorter words are not corrected (too many near neighbours)
TYPO_ALTERNATIVES = 5  # vocabulary words a typo may stand for, most similar first


def _word_query(word: str) -> tuple[str, list[object]]:
    """On PostgreSQL, the ``tsquery`` of one typed word against the stored vector (profiles 0015): the
    word starts a word of the text as written (a prefix of a ``simple`` lexeme), or matches a word by
    its English stem ("mentoring" finds "mentor"). Words are ``core.text`` normalised: ``[0-9a-z]+``."""
    return "(to_tsquery('simple', %s) || plainto_tsquery('english', %s))", [f"'{word}':*", word]


def typo_corrections(words: list[str]) -> dict[str, list[str]]:
    """For each typed word of five letters or more that no mentor's text has as typed or by stem,
    the vocabulary words it may be a typo of (``profiles.SearchWord``, trigram word similarity,
    PostgreSQL only): the "did you mean" rule of spelling correction — a word that is found needs
    no correcting ("okonkwo" does not also find "Okonkow").

    One statement for all the words, cached with the facet index's version (a profile change can
    add or remove a word); the statements that search then carry plain matches only, so PostgreSQL
    never plans the costly similarity operator over whole texts.
    """
    long = [w for w in words if len(w) >= TYPO_MIN_LENGTH]
    if not long or connection.vendor != "postgresql":
        return {}
    key = shared_key("typos", long)
    cached: dict[str, list[str]] | None = cache.get(key)
    if cached is not None:
        return cached
    texts, vocabulary = MentorSearchText._meta.db_table, SearchWord._meta.db_table
    parts, params = [], []
    for word in long:
        query, query_params = _word_query(word)
        parts.append(
            f"SELECT %s, CASE WHEN EXISTS (SELECT 1 FROM {texts} WHERE document @@ {query}) THEN NULL ELSE ARRAY("
            f"SELECT word FROM {vocabulary} WHERE %s <%% word "
            "ORDER BY word_similarity(%s, word) DESC, similarity(%s, word) DESC, word LIMIT %s) END"
        )
        params += [word, *query_params, word, word, word, TYPO_ALTERNATIVES]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = {word: list(alternatives) for word, alternatives in cursor.fetchall() if alternatives is not None}
    cache.set(key, found, COUNTS_TTL)
    return found


def text_matches(words: list[str]) -> QuerySet[MentorSearchText]:
    """Documents containing every word (AND): what a person expects of a search box.

    On PostgreSQL one condition, ``document @@ (w1 | its typo alternatives) & (w2 | …)``, answered by
    the vector's GIN index; elsewhere each word starts a word of the stored text."""
    texts = MentorSearchText.objects.all()
    if connection.vendor != "postgresql":
        for word in words:
            texts = texts.filter(text__contains=f" {word}")
        return texts
    corrections = typo_corrections(words)
    clauses, params = [], []
    for word in words:
        alternatives = [_word_query(w) for w in [word, *corrections.get(word, [])]]
        clauses.append("(" + " || ".join(sql for sql, _ in alternatives) + ")")
        params += [p for _, word_params in alternatives for p in word_params]
    return texts.filter(RawSQL("document @@ (" + " && ".join(clauses) + ")", params, BooleanField()))


def text_match(words: list[str]) -> Q:
    """The mentors whose text contains every word, as a condition on the mentor's id. On PostgreSQL
    their ids are read once and shared by every viewer for ``COUNTS_TTL`` seconds under the index
    version, like the national counts: the same words find the same texts whoever types them, and
    testing 30,000 documents costs ~40 ms, asked twice per results page (the ranking, the counts).
    A mentor's new text bumps the version (``profiles.signals.mentor_text_changed``), so a search
    never reads matches older than the texts. Kept as the array's text (``core.lookups.id_array``):
    Django then handles one parameter, not one per id. Elsewhere a subquery."""
    matches = text_matches(words).values("mentor_id")
    if connection.vendor != "postgresql":
        return Q(pk__in=matches)
    key = shared_key("text-matches", words)
    ids: str | None = cache.get(key)
    if ids is None:
        ids = id_array(list(matches.values_list("mentor_id", flat=True)))
        cache.set(key, ids, COUNTS_TTL)
    return Q(pk__in_array=ids)


class RankedMentors:
    """A sliceable, countable list of mentors in best-match order, for the Paginator.

    The match score is the weighted sum of the mentee's keys found in the facet index,
    grouped per mentor over the filtered mentors only (index-only on PostgreSQL: the
    visible set from ``mentor_searchable``, the keys from ``mentor_facet_key_mentor``).
    The database never evaluates a per-mentor subquery, and a narrow filter scores only
    the mentors it kept. ``fetch`` returns a page of ids together with the total (a
    window count), so a results page costs one query instead of a count and a ranking.
    """

    def __init__(self, qs: QuerySet[MentorProfile], weights: dict[str, float], viewer: Membership | None = None):
        self.qs, self.weights, self.viewer = qs, weights, viewer
        self._count: int | None = None
        self._window: tuple[int, int, list[int]] | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.qs.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[MentorProfile]:
        start = window.start or 0
        limit = (window.stop or 0) - start
        cached = self._window  # the window ``fetch`` already read, usually this very page
        reuse = cached is not None and cached[0] == start and limit <= cached[1]
        ids = cached[2][:limit] if reuse else self.fetch(start, limit)
        by_id = for_cards(
            MentorProfile.objects.select_related("membership__user", "membership__institution"), self.viewer
        ).in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id]

    def fetch(self, offset: int, limit: int) -> list[int]:
        """Ids of ``limit`` mentors from ``offset`` in best-match order; remembers the total."""
        inner_qs = self.qs.order_by().values(mid=F("pk"), mrh=F("median_response_hours"))
        try:
            inner, inner_params = inner_qs.query.sql_with_params()
        except EmptyResultSet:  # a condition no mentor can meet (say, no subscription covers today)
            self._count, self._window = 0, (offset, limit, [])
            return []
        table = connection.ops.quote_name(MentorFacet._meta.db_table)
        keys = ", ".join(["%s"] * len(self.weights))
        # Double precision, not numeric: PostgreSQL sums floats several times faster.
        cases = " ".join("WHEN %s THEN CAST(%s AS DOUBLE PRECISION)" for _ in self.weights)
        sql = (
            f"SELECT m.mid, COUNT(*) OVER () FROM ({inner}) m "
            f"LEFT JOIN {table} f ON f.mentor_id = m.mid AND f.key IN ({keys}) "
            "GROUP BY m.mid, m.mrh "
            f"ORDER BY COALESCE(SUM(CASE f.key {cases} END), 0) DESC, m.mrh IS NULL, m.mrh, m.mid "
            "LIMIT %s OFFSET %s"
        )
        params = [*inner_params, *self.weights]
        for key, weight in self.weights.items():
            params += [key, float(weight)]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit, offset])
            rows = cursor.fetchall()
        if rows:
            self._count = rows[0][1]
        elif offset == 0:
            self._count = 0
        ids = [row[0] for row in rows]
        self._window = (offset, limit, ids)
        return ids


def _ordered(qs: QuerySet[MentorProfile], params: SearchParams, wishes: Wishes, viewer: Membership | None = None):
    related = ("membership__user", "membership__institution")
    if params.sort == "name":
        return for_cards(qs.select_related(*related), viewer).order_by(
            "membership__user__last_name", "membership__user__first_name", "pk"
        )
    if params.sort == "responsive" or not wishes.weights():
        return for_cards(qs.select_related(*related), viewer).order_by(*responsiveness.order_by(), "pk")
    return RankedMentors(qs, wishes.weights(), viewer)


def _count(qs: QuerySet[MentorProfile]) -> Counter:
    rows = (
        MentorFacet.objects.filter(mentor__in=qs.order_by().values("pk"))
        .values_list("key")
        .annotate(n=Count("*"))  # not Count("id"): (key, mentor) index rows answer it alone
        .values_list("key", "n")
    )
    return Counter(dict(rows))


def facet_counts(*, viewer: Membership, params: SearchParams, qs: QuerySet[MentorProfile]) -> Counter:
    """Count of every shared value among the results.

    With the default scope the results are (national-scope mentors, the same for every
    viewer) + (local-scope mentors of the viewer's institution). The national part is
    cached for ``COUNTS_TTL`` seconds per filter combination — 80,000 mentees share it —
    and the small local part is counted live. Counts may lag a profile edit by that
    long; results never do.
    """
    if params.widens_areas:
        # Widening: each area's count is how many of the mentors matching the other filters offer
        # it (the usual "any of" facet); the other groups count the widened results.
        counts = _counts(viewer=viewer, params=params, qs=qs)
        wide = params.without_areas()
        areas = _counts(viewer=viewer, params=wide, qs=filtered_mentors(viewer=viewer, params=wide))
        return Counter({k: n for k, n in counts.items() if not k.startswith("area:")}) + Counter(
            {k: n for k, n in areas.items() if k.startswith("area:")}
        )
    return _counts(viewer=viewer, params=params, qs=qs)


def _counts(*, viewer: Membership, params: SearchParams, qs: QuerySet[MentorProfile]) -> Counter:
    if params.scope:
        return _count(qs)
    local = qs.filter(scope=Scope.LOCAL, institution_id=viewer.institution_id)  # implied; lets the index narrow
    national_all = filtered_mentors(viewer=None, params=params).filter(scope=Scope.NATIONAL)
    key = shared_key(
        "national-counts",
        sorted(params.keys),
        params.widens_areas,
        query_words(params.q, MAX_WORDS),
        params.available,
        str(platform_today()),
    )
    national = cache.get(key)
    if national is None:
        national = _count(national_all)
        cache.set(key, national, COUNTS_TTL)
    # Not in the viewer's results, so not counted: their own profile (a mentee who also mentors) and
    # mentors blocked either way (R37). Counted in the same statement as the local part (the two
    # sets are disjoint: ``local`` already leaves them out).
    # One subquery of the (few) excluded ids, not an OR of two: PostgreSQL then starts from those few
    # profiles instead of testing every national mentor against both lists.
    excluded = own_mentor_profiles(viewer).union(hidden_mentor_profiles(viewer), all=True)
    own = national_all.filter(pk__in=excluded)
    local_ids, own_ids = local.order_by().values("pk"), own.order_by().values("pk")
    rows = (
        MentorFacet.objects.filter(mentor__in=local_ids.union(own_ids, all=True))
        .values_list("key")
        .annotate(
            plus=Count("mentor_id", filter=Q(mentor__in=local_ids)),
            minus=Count("mentor_id", filter=Q(mentor__in=own_ids)),
        )
        .values_list("key", "plus", "minus")
    )
    counts = Counter(national)
    for key, plus, minus in rows:
        counts[key] += plus - minus
    return +counts


def facet_groups(counts: Counter, selected: list[str]) -> list[FacetGroup]:
    """Facet values grouped and labelled, in taxonomy order."""
    known = catalog()
    by_group: dict[str, list] = {}
    for key in set(counts) | set(selected):
        info = known.get(key)
        if info is None:
            continue
        by_group.setdefault(info.group, []).append(
            (info.position, FacetValue(key, info.label, counts.get(key, 0), key in selected))
        )
    order = ["area", "spec", "role", "lang", "native", "state", "country"]
    groups = []
    for group, values in by_group.items():
        values.sort(key=lambda pair: pair[0])
        # Every value of a group carries the group's label (an identity dimension's name).
        label = known[values[0][1].key].group_label or group_label(group)
        groups.append(FacetGroup(group, label, [v for _, v in values]))
    groups.sort(key=lambda g: (order.index(g.key) if g.key in order else len(order), _dim_position(g)))
    return groups


def _dim_position(group: FacetGroup):
    first = catalog().get(group.values[0].key) if group.values else None
    return first.position if first and group.key.startswith("id:") else (0,)


def mentor_search(*, viewer: Membership, params: SearchParams, per_page: int = PER_PAGE) -> SearchResult:
    """One page of mentors ``viewer`` may see that match ``params``, with reasons and facet counts (R10, R11)."""
    wishes = mentee_wishes(viewer)
    qs = filtered_mentors(viewer=viewer, params=params)
    ordered = _ordered(qs, params, wishes, viewer)
    if isinstance(ordered, RankedMentors):
        ordered.fetch((params.page - 1) * per_page, per_page)  # the page and the total in one query
    paginator = Paginator(ordered, per_page)
    page = paginator.get_page(params.page)
    keys = facet_keys_for(m.pk for m in page.object_list)
    hits = []
    for mentor in page.object_list:
        mentor_keys = keys.get(mentor.pk, set())
        _, reasons, _ = explain(mentor, mentor_keys, wishes)
        hits.append(Hit(mentor, reasons, shared_labels(mentor_keys), mentor.finishing_training))
    return SearchResult(
        page=page,
        hits=hits,
        groups=facet_groups(facet_counts(viewer=viewer, params=params, qs=qs), params.keys),
        total=paginator.count,
    )


def shared_labels(keys: set[str]) -> list[str]:
    """Short labels of a mentor's shared identity values, for the result card: the most specific
    answer only ("African American", not also its broad "Black or African American"), each once."""
    known = catalog()
    identity = [k for k in keys if k.startswith("id:") and k in known]
    return sorted(dict.fromkeys(known[k].label for k in without_parents(identity)))
