"""Reads for search and recommendations (R8–R11, R27, R28).

Visibility (who a mentee may see) lives in ``searchable_mentors``; every other
read starts from it. Ranking reads only the facet index (shared values), so a
private value cannot move a result (R8).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber

from mentormemed.core.clock import platform_today
from mentormemed.core.contact import hidden_user_queries
from mentormemed.institutions.models import Membership, Subscription
from mentormemed.matching import reasons as match_reasons
from mentormemed.matching.index import catalog, index_version
from mentormemed.matching.models import MentorExposure, MentorFacet
from mentormemed.matching.reasons import MatchReason
from mentormemed.profiles import responsiveness
from mentormemed.profiles.models import ContentArea, MenteeProfile, MentorProfile, Scope

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

# Options that describe the absence of a characteristic: sharing them is not an affinity.
NEGATIVE_OPTION_KEYS = frozenset({"no", "not_first_generation", "usmg", "not_applicable", "not_disadvantaged"})
CANDIDATES = 200  # mentors re-ranked exactly after the SQL pre-score
# What ``explain`` reads.
SCORE_FIELDS = ("capacity", "active_mentee_count", "median_response_hours", "answer_rate", "response_count")
EXPOSURE_WEEKS = 4
EXPOSURE_WEIGHT = 2.0


def covered_institution_ids(day: dt.date | None = None) -> QuerySet[Subscription, object]:
    """Institutions whose subscription covers today (R1), as a subquery."""
    return Subscription.objects.covering(day).values("institution_id")


def searchable_anywhere() -> QuerySet[MentorProfile]:
    """Mentors searchable by someone: complete, consented, not suspended, active, subscribed (any scope).

    Reads only the profile row (``institution`` and ``membership_active`` are copies kept
    by the services), so the visible set comes from the ``mentor_searchable`` partial index
    without a join to memberships.
    """
    return MentorProfile.objects.filter(
        _subscribed(),
        is_complete=True,
        search_consent=True,
        suspended_at__isnull=True,
        membership_active=True,
    )


COVERED_TTL = 300  # seconds; a subscription change or a new day reads them again at once


def covered_today() -> list[int]:
    """Ids of the institutions whose subscription covers today (R1), read once and cached under the
    day and the index version (``subscription_changed`` bumps it, before and after commit).

    A literal list rather than a subquery: PostgreSQL then estimates the visible set from its
    statistics on the profile's institution, where a semi-join with the subscriptions made it
    guess a hundredth of the rows and pick nested loops (recommendations: 200 ms, issue 14)."""
    key = f"matching:covered:{platform_today().isoformat()}:{index_version()}"
    ids: list[int] | None = cache.get(key)
    if ids is None:
        ids = sorted(set(covered_institution_ids().values_list("institution_id", flat=True)))
        cache.set(key, ids, COVERED_TTL)
    return ids


def _subscribed() -> Q:
    """The mentor's institution is covered today (R1)."""
    return Q(institution_id__in=covered_today())


def own_mentor_profiles(viewer: Membership) -> QuerySet[MentorProfile, object]:
    """Ids of the viewer's own mentor profiles (a mentee may also mentor), as a subquery."""
    return MentorProfile.objects.filter(membership__user_id=viewer.user_id).values("pk")


def searchable_mentors(*, viewer: Membership) -> QuerySet[MentorProfile]:
    """Mentors ``viewer`` may find (R8, R9, R1), full ones included (they are shown as full).

    Complete profile, consent to be searched, not suspended, active membership in an
    institution whose subscription covers today; local scope → the viewer's
    institution only, national → everyone; never the viewer themselves.
    """
    qs = searchable_anywhere().filter(Q(scope=Scope.NATIONAL) | Q(institution_id=viewer.institution_id))
    return without(without(qs, own_mentor_profiles(viewer)), hidden_mentor_profiles(viewer))


def without(qs: QuerySet[MentorProfile], ids: QuerySet[Any, object]) -> QuerySet[MentorProfile]:
    """``qs`` less the mentors whose ids ``ids`` selects (one column: ``pk`` or a foreign key to them).

    Written ``NOT EXISTS``, an anti-join PostgreSQL estimates from the few rows excluded, not
    ``NOT IN``: a subplan it cannot turn into a join (NULLs), guessed to keep half the rows each
    time, so the recommendations' four exclusions made it expect 281 of 10,760 mentors and probe
    the index once per mentor (issue 14)."""
    columns = ids.query.values_select
    if len(columns) != 1 or ids.query.annotation_select:  # not one plain column: Django's own NOT IN
        return qs.exclude(pk__in=ids)
    return qs.filter(~Exists(ids.filter(**{columns[0]: OuterRef("pk")})))


def hidden_mentor_profiles(viewer: Membership) -> QuerySet[MentorProfile, object]:
    """Ids of mentor profiles hidden from the viewer (blocked either way, R37), as a subquery."""
    hidden: Q | None = None
    for users in hidden_user_queries(user_id=viewer.user_id):
        term = Q(membership__user_id__in=users)
        hidden = term if hidden is None else hidden | term
    if hidden is None:
        return MentorProfile.objects.none().values("pk")
    return MentorProfile.objects.filter(hidden).values("pk")


def not_full(qs: QuerySet[MentorProfile]) -> QuerySet[MentorProfile]:
    return qs.filter(accepting_new=True, active_mentee_count__lt=F("capacity"))


def ready_to_accept(qs: QuerySet[MentorProfile]) -> QuerySet[MentorProfile]:
    """Mentors whom the request gate lets accept now (R7: required training done); the rest are
    "finishing training": shown in search, never recommended, not requestable. Read from the profile's
    copy of the gate (``profiles.readiness``); the request itself re-checks the rule."""
    return qs.filter(accept_ready=True)


def for_cards(qs: QuerySet[MentorProfile], viewer: Membership | None = None) -> QuerySet[MentorProfile]:
    """What a result card shows besides the profile, in the same statement as the mentors:
    ``finishing_training`` (R7: cannot accept yet) and ``is_my_mentor`` (a current mentor of ``viewer``)."""
    from mentormemed.mentorships.models import Relationship

    finishing = ExpressionWrapper(Q(accept_ready=False), output_field=BooleanField())  # the gate's copy
    mine = (
        Exists(Relationship.objects.filter(mentee=viewer, mentor_id=OuterRef("pk"), ended_at__isnull=True))
        if viewer is not None
        else Value(False, output_field=BooleanField())
    )
    return qs.annotate(finishing_training=finishing, is_my_mentor=mine)


def finishing_training(mentor_ids: Iterable[int]) -> set[int]:
    """Which of these mentors cannot accept yet (one query for a page of results)."""
    ids = list(mentor_ids)
    if not ids:
        return set()
    return set(MentorProfile.objects.filter(pk__in=ids, accept_ready=False).values_list("pk", flat=True))


# ---------------------------------------------------------------- mentee wishes


@dataclass
class Wishes:
    """What a mentee asked for, as facet weights: needs by rank, affinities by weight."""

    needs: dict[str, float] = field(default_factory=dict)  # area key -> weight
    need_areas: dict[str, ContentArea] = field(default_factory=dict)
    affinities: dict[str, tuple[str, float]] = field(default_factory=dict)  # facet key -> (dimension, weight)
    common: frozenset[str] = frozenset()  # values nearly every mentor shares: scored, never named

    def weights(self) -> dict[str, float]:
        merged = dict(self.needs)
        for key, (_, weight) in self.affinities.items():
            merged[key] = merged.get(key, 0) + weight
        return merged


COMMON_SHARE = 0.8  # a value at least this share of mentors hold is no distinguishing affinity
COMMON_MIN_MENTORS = 20  # below this many searchable mentors every shared value is worth naming
COMMON_TTL = 600  # seconds
AFFINITY_GROUPS = ("lang:", "native:", "state:", "country:", "id:")


def common_keys() -> frozenset[str]:
    """Shared values that at least 80% of the mentors searchable anywhere hold (e.g. speaking
    English): sharing them says nothing about a match, so a reason never names them ("shares:
    English" is noise). Counted over the whole network, cached ten minutes per index version."""
    from django.core.cache import cache
    from django.db.models import Count

    from mentormemed.matching.index import index_version

    key = f"matching:common-keys:{index_version()}"
    found: frozenset[str] | None = cache.get(key)
    if found is not None:
        return found
    visible = searchable_anywhere()
    total = visible.count()
    common: frozenset[str] = frozenset()
    if total >= COMMON_MIN_MENTORS:
        prefixes = Q()
        for prefix in AFFINITY_GROUPS:
            prefixes |= Q(key__startswith=prefix)
        rows = (
            MentorFacet.objects.filter(prefixes, mentor__in=visible.order_by().values("pk"))
            .values_list("key")
            .annotate(n=Count("*"))
            .values_list("key", "n")
        )
        common = frozenset(k for k, n in rows if n >= COMMON_SHARE * total)
    cache.set(key, common, COMMON_TTL)
    return common


def need_weight(rank: int) -> float:
    return max(1.5, 4.0 - 0.5 * (rank - 1))


def mentee_wishes(mentee: Membership) -> Wishes:
    """Facet weights from the mentee's ranked needs and the affinities they said matter.

    Only the mentee's *shared* values are used, and only with their consent to matching.
    Read once per request and cached until the mentee edits them (``matching.viewer``).
    """
    from mentormemed.matching.viewer import viewer_facts

    return replace(viewer_facts(mentee).wishes, common=common_keys())


def read_wishes(mentee: Membership, profile: MenteeProfile | None) -> Wishes:
    """``mentee_wishes`` from the database (``profile``: the mentee's profile, already read)."""
    wishes = Wishes()
    if profile is None:
        return wishes
    for need in profile.needs.select_related("content_area"):
        key = f"area:{need.content_area.key}"
        wishes.needs[key] = need_weight(need.rank)
        wishes.need_areas[key] = need.content_area
    prefs = {a.dimension: a.weight for a in profile.affinities.all() if a.weight > 0}
    spec_weight = prefs.get("specialty", 1)
    for spec in profile.specialty_interests.select_related("parent"):
        wishes.affinities[f"spec:{spec.key}"] = ("specialty", spec_weight)
    if not profile.consent_matching:
        return wishes
    if profile.languages_shared and prefs.get("language"):
        for lang in profile.languages.all():
            wishes.affinities[f"lang:{lang.key}"] = ("language", prefs["language"])
    if profile.home_shared:
        if profile.home_state_id and prefs.get("home_state"):
            assert profile.home_state is not None  # its id is set
            wishes.affinities[f"state:{profile.home_state.code}"] = ("home_state", prefs["home_state"])
        if profile.home_country_id and prefs.get("home_country"):
            assert profile.home_country is not None  # its id is set
            wishes.affinities[f"country:{profile.home_country.code}"] = ("home_country", prefs["home_country"])
    values = mentee.identity_values.filter(shared=True, option__no_answer=False).select_related(
        "option__dimension", "option__parent"
    )
    for value in values:
        dim = value.option.dimension.key
        if not prefs.get(dim) or value.option.key in NEGATIVE_OPTION_KEYS:
            continue
        wishes.affinities[f"id:{dim}:{value.option.key}"] = (dim, prefs[dim])
        if value.option.parent_id:
            assert value.option.parent is not None  # its id is set
            wishes.affinities.setdefault(f"id:{dim}:{value.option.parent.key}", (dim, prefs[dim]))
    return wishes


# ---------------------------------------------------------------- scoring


@dataclass
class Recommendation:
    mentor: MentorProfile
    score: float
    reasons: list[MatchReason]  # each reads as plain text in the active language (``str(reason)``)
    covers: list[ContentArea]
    search_id: int | None = None


def responsiveness_bonus(profile: MentorProfile) -> float:
    return responsiveness.of(profile).ranking_bonus()


def explain(
    profile: MentorProfile, keys: set[str], wishes: Wishes
) -> tuple[float, list[MatchReason], list[ContentArea]]:
    """Exact score, plain reasons (in the active language, ``matching.reasons``) and covered needs."""
    covered = [k for k in wishes.needs if k in keys]
    score = sum(wishes.needs[k] for k in covered)
    matched_by_dim: dict[str, list[str]] = defaultdict(list)
    for key, (dim, _weight) in wishes.affinities.items():
        if key in keys:
            matched_by_dim[dim].append(key)
    shares: list[str] = []  # facet keys
    # What matters most to the mentee is named first; identities before language and place.
    order = sorted(
        matched_by_dim.items(),
        key=lambda item: (-max(wishes.affinities[k][1] for k in item[1]), not item[1][0].startswith("id:")),
    )
    for _dim, matched in order:
        score += max(wishes.affinities[k][1] for k in matched)  # each characteristic counts once
        shares.extend(k for k in without_parents(matched) if k not in wishes.common)
    score += responsiveness_bonus(profile)
    spots = max(profile.capacity - profile.active_mentee_count, 0)
    score += 0.5 * spots / max(profile.capacity, 1)
    reasons: list[MatchReason] = []
    if shares:
        reasons.append(MatchReason("shares", keys=list(dict.fromkeys(shares))))
    areas = [wishes.need_areas[k] for k in covered]
    if areas:
        reasons.append(MatchReason("offers", areas=[_lower_first(a.name) for a in areas]))
    reasons.append(match_reasons.of_profile(profile))
    return score, reasons, areas


def without_parents(keys: list[str]) -> list[str]:
    """Keep the most specific identity option: 'Nigerian' rather than 'Nigerian, Black'."""
    if len(keys) < 2:
        return keys
    known = catalog()
    parents = {known[k].parent for k in keys if k in known and known[k].parent}
    return [k for k in keys if k not in parents] or keys


def _lower_first(name: str) -> str:
    # "Residency applications" -> "residency applications"; keep acronyms such as "QI".
    return name[0].lower() + name[1:] if len(name) > 1 and not name[1].isupper() else name


def facet_keys_for(mentor_ids: Iterable[int], only: Iterable[str] | None = None) -> dict[int, set[str]]:
    """Index keys of each mentor; with ``only``, just those keys (what a score needs)."""
    rows = MentorFacet.objects.filter(mentor_id__in=list(mentor_ids))
    if only is not None:
        rows = rows.filter(key__in=list(only))
    keys: dict[int, set[str]] = defaultdict(set)
    for mentor_id, key in rows.values_list("mentor_id", "key"):
        keys[mentor_id].add(key)
    return keys


def week_start(day: dt.date | None = None) -> dt.date:
    day = day or platform_today()
    return day - dt.timedelta(days=day.weekday())


def recent_exposure(mentor_ids: Iterable[int]) -> dict[int, int]:
    since = week_start() - dt.timedelta(weeks=EXPOSURE_WEEKS - 1)
    rows = (
        MentorExposure.objects.filter(mentor_id__in=list(mentor_ids), week__gte=since)
        .values("mentor_id")
        .annotate(n=Sum("shown"))
    )
    return {row["mentor_id"]: row["n"] for row in rows}


def _jitter(mentee_id: int, mentor_id: int, week: dt.date | None = None) -> float:
    """A small, stable per-pair tie-breaker so equally good mentors rotate across mentees (R27)."""
    week = week or week_start()
    digest = hashlib.blake2b(f"{mentee_id}:{mentor_id}:{week}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32 * 0.3


class KeyList(Aggregate):
    """The facet keys of a group, space-separated (keys hold no spaces), on PostgreSQL and SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = CharField()

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> _AsSqlType:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def with_facet_keys(qs: QuerySet[MentorProfile]) -> QuerySet[MentorProfile]:
    """Annotate ``facet_keys``: each mentor's index keys, space-separated, in the same statement."""
    keys = (
        MentorFacet.objects.filter(mentor_id=OuterRef("pk")).order_by().values("mentor_id").annotate(k=KeyList("key"))
    )
    return qs.annotate(facet_keys=Subquery(keys.values("k"), output_field=CharField()))


def _candidates(qs: QuerySet[MentorProfile], weights: dict[str, float], limit: int) -> list[MentorProfile]:
    """The ``limit`` mentors of ``qs`` with the most weighted facet matches, best first, each with the
    few fields ``explain`` reads and ``matched``: their keys among ``weights`` — one statement. Mentors
    matching none of the keys fill the list in id order, as before."""
    qs = qs.only(*SCORE_FIELDS)
    if not weights:
        return [_with_matched(m, "") for m in qs.order_by(*responsiveness.order_by(), "pk")[:limit]]
    # Double precision, not numeric: PostgreSQL sums floats several times faster.
    score = Sum(
        Case(
            *(When(wanted__key=k, then=Cast(Value(float(w)), FloatField())) for k, w in weights.items()),
            default=Cast(Value(0.0), FloatField()),
            output_field=FloatField(),
        )
    )
    rows = (
        qs.annotate(wanted=FilteredRelation("facets", condition=Q(facets__key__in=list(weights))))
        .annotate(prescore=Coalesce(score, Cast(Value(0.0), FloatField())), matched=KeyList("wanted__key"))
        .order_by("-prescore", "pk")[:limit]
    )
    return [_with_matched(m, m.matched) for m in rows]


def _with_matched(profile: MentorProfile, matched: str | None) -> MentorProfile:
    profile.matched_keys = set((matched or "").split())
    return profile


def recommend(
    *,
    mentee: Membership,
    limit: int = 5,
    exclude_mentor_ids: Iterable[int] | Iterable[QuerySet[MentorProfile, object]] = (),
) -> list[Recommendation]:
    """Ranked mentors for ``mentee`` with plain reasons (R10, R28), spread across mentors (R27).

    Only mentors the mentee may see and who have room (not full, accepting); never
    the mentee themselves; ``exclude_mentor_ids`` are MentorProfile ids (e.g. current
    mentors; a list or subqueries of ids). Score = ranked needs covered + affinities that
    matter to the mentee (each characteristic once) + responsiveness + free places − recent
    exposure. Reads only: the page that shows them records the view (``services.recommendations_shown``:
    the search log, R11, and the exposure that spreads the load, R27).
    """
    wishes = mentee_wishes(mentee)
    qs = ready_to_accept(not_full(searchable_mentors(viewer=mentee)))
    # Ids, or subqueries of ids (told apart below); a subquery's rows are whatever it selects.
    given: list[Any] = list(exclude_mentor_ids)
    if given and all(isinstance(item, QuerySet) for item in given):
        for subquery in given:
            qs = without(qs, subquery)
    elif given:
        qs = qs.exclude(pk__in=given)
    # The candidates arrive with the few fields ``explain`` reads and their index rows for the
    # mentee's weighted keys (the only keys ``explain`` looks at); only the mentors finally
    # shown are loaded whole.
    candidates = _candidates(qs, wishes.weights(), CANDIDATES)
    if not candidates:
        return []
    ids = [m.pk for m in candidates]
    exposure = recent_exposure(ids)
    # Exposure is judged relative to the candidates' average, so a mentor shown far more
    # often than comparable mentors sinks until the others catch up (R27).
    mean = sum(exposure.values()) / len(ids)
    week = week_start()
    scored = []
    for profile in candidates:
        pk = profile.pk
        score, reasons, covers = explain(profile, profile.matched_keys, wishes)
        score -= EXPOSURE_WEIGHT * exposure.get(pk, 0) / (mean + 1)
        score += _jitter(mentee.pk, pk, week)
        scored.append(Recommendation(mentor=profile, score=round(score, 3), reasons=reasons, covers=covers))
    scored.sort(key=lambda r: (-r.score, r.mentor.pk))
    shown = scored[:limit]
    whole = MentorProfile.objects.select_related("membership__user", "membership__institution").in_bulk(
        [r.mentor.pk for r in shown]
    )
    for rec in shown:
        rec.mentor = whole[rec.mentor.pk]
    return shown


# ---------------------------------------------------------------- network


@dataclass
class NeedCoverage:
    area: ContentArea
    rank: int
    mentors: list[MentorProfile]

    @property
    def covered(self) -> bool:
        return bool(self.mentors)


def needs_coverage(*, mentee: Membership, mentor_profiles: Iterable[MentorProfile]) -> list[NeedCoverage]:
    """R14: for each of the mentee's needs (by rank), which of ``mentor_profiles`` offer it.

    ``mentor_profiles`` are the mentee's current mentors (the mentorships app decides
    who they are). Offered areas are read from the facet index, i.e. shared data only.
    """
    profile = MenteeProfile.objects.filter(membership=mentee).first()
    if profile is None:
        return []
    mentors = list(mentor_profiles)
    keys = facet_keys_for(m.pk for m in mentors)
    rows = []
    for need in profile.needs.select_related("content_area").order_by("rank"):
        key = f"area:{need.content_area.key}"
        rows.append(NeedCoverage(need.content_area, need.rank, [m for m in mentors if key in keys.get(m.pk, ())]))
    return rows


def suggestions_for_needs(
    *, mentee: Membership, areas: list[ContentArea], limit: int = 3, exclude_mentor_ids: Iterable[int] = ()
) -> dict[int, list[MentorProfile]]:
    """For each area, a few visible mentors with room who offer it, fastest responders first — one
    statement for every area (a window over the areas' index rows), not one per area."""
    if not areas:
        return {}
    qs = ready_to_accept(not_full(searchable_mentors(viewer=mentee))).exclude(pk__in=list(exclude_mentor_ids))
    by_key = {f"area:{area.key}": area.pk for area in areas}
    ranked = (
        qs.filter(facets__key__in=list(by_key))
        .annotate(
            need_key=F("facets__key"),
            place=Window(RowNumber(), partition_by=F("facets__key"), order_by=[*responsiveness.order_by(), "pk"]),
        )
        .filter(place__lte=limit)
        .order_by("need_key", "place")
        .values_list("pk", "need_key")
    )
    rows = list(ranked)  # ids only: the window runs over the profile rows, the cards load after
    whole = MentorProfile.objects.select_related("membership__user").in_bulk({pk for pk, _ in rows})
    found: dict[int, list[MentorProfile]] = {area.pk: [] for area in areas}
    for pk, key in rows:
        found[by_key[key]].append(whole[pk])
    return found
