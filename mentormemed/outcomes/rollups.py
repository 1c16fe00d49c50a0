"""Rollups behind the outcomes dashboards (R23): maintained by the periodic sweep, read by the selectors.

The dashboards count *distinct people* in every cell (small-cell suppression needs them), and a
distinct count over a date range cannot be summed from monthly totals. So the rollups keep one
row per person and month (searches; searches per filter key) or per request and relationship,
with the cohort (training level, eligibility bases), the scope (institutions) and the outcome
already joined in and only consenting mentees kept. The dashboards then run narrow GROUP BYs
on indexed tables instead of joining a million search-log rows to profiles and eligibility,
and the analysis reads precomputed shared characteristics instead of rebuilding them.

Reads never build: a page shows the figures as of the last update, or says they were never built.
``refresh_job`` (the sweep) runs ``update`` every ``MMM["OUTCOMES_REFRESH_MINUTES"]`` (default 10):
it finds the institution × month partitions that changed — search-log rows past a high-water mark,
and a digest per partition of requests, relationships, evaluations and of an institution's mentees
(consent, level, bases) — and rebuilds, per changed institution, its rows from the first changed
month on (the "previous month" columns are computed over the institution's whole history, so they
equal a full rebuild's). ``refresh`` rebuilds everything; the sweep runs it every
``MMM["OUTCOMES_FULL_REBUILD_HOURS"]`` (default 24: what no digest sees, such as a mentor sharing a
new characteristic, is picked up then) and ``manage.py outcomes_rebuild`` repairs on demand. Each
runs in one transaction (readers see the old figures until it commits), one at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import statistics
import time
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, DateField, DurationField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from mentormemed.core.conf import product
from mentormemed.outcomes import stats
from mentormemed.outcomes.cohorts import EARLY_DAYS, GME, UME
from mentormemed.outcomes.models import (
    MenteeJourney,
    PrecomputedRelease,
    RelationshipFact,
    RequestFact,
    RequestFactLabel,
    RollupRefresh,
    RollupSource,
    SearchKeyRollup,
    SearchRollup,
    UnmetSearchRollup,
)

ROLLUPS = (
    SearchRollup,
    SearchKeyRollup,
    RequestFact,
    RequestFactLabel,
    RelationshipFact,
    MenteeJourney,
    UnmetSearchRollup,
)

# Search-log rows newer than this may still be committing behind a row with a higher id: the
# high-water mark stays below them, so the next update looks at them again (idempotent).
HIGH_WATER_MARGIN = dt.timedelta(minutes=5)
BASES = ("urim", "first_generation", "economically_disadvantaged")

# What an update rebuilds: an institution's rows from a month on (None: all of them); None: everything.
Part = tuple[int, "dt.date | None"]


def last_refresh() -> RollupRefresh | None:
    return RollupRefresh.objects.order_by("-refreshed_at").first()


def stored_release(key: str, done: RollupRefresh):
    """A page's figures as the sweep computed them from this rollup update, or None (not yet, or from
    an older update: the page then computes them itself). One indexed read, no write."""
    payload = (
        PrecomputedRelease.objects.filter(key=key, refreshed_at=done.refreshed_at)
        .values_list("payload", flat=True)
        .first()
    )
    # Written only by the sweep (outcomes.precompute) into this database, never from a request.
    return pickle.loads(bytes(payload)) if payload is not None else None  # noqa: S301


def refresh_job(*, now: dt.datetime) -> int:
    """Periodic job: every refresh interval, bring the changed partitions up to date; rebuild
    everything when never built or when the last full rebuild is older than the full-rebuild interval."""
    done = last_refresh()
    if done and now - done.refreshed_at < dt.timedelta(minutes=product.outcomes_refresh_minutes):
        return 0
    hours = product.outcomes_full_rebuild_hours
    if done is None or done.rebuilt_at is None or (hours and now - done.rebuilt_at >= dt.timedelta(hours=hours)):
        refresh(now=now)
    else:
        update(now=now)
    return 1


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # one update at a time; the second waits, then redoes its own
            cursor.execute("SELECT pg_advisory_xact_lock(7023)")


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in ROLLUPS:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def refresh(*, now: dt.datetime | None = None) -> RollupRefresh:
    """Rebuild every rollup from the source tables (idempotent; concurrent runs serialise)."""
    now = now or timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        _lock()
        high_water = _search_high_water(0, now)
        for model in ROLLUPS:
            model.objects.all().delete()
        _build(None)
        RollupSource.objects.all().delete()
        RollupSource.objects.bulk_create(
            (RollupSource(key=key, digest=digest) for key, digest in source_digests().items()), batch_size=5000
        )
        RollupRefresh.objects.all().delete()
        done = RollupRefresh.objects.create(
            refreshed_at=now,
            rebuilt_at=now,
            search_log_id=high_water,
            seconds=round(time.perf_counter() - started, 2),
        )
    _analyze()
    return done


def update(*, now: dt.datetime | None = None) -> RollupRefresh:
    """Bring the rollups up to date by rebuilding only the partitions that changed since the last
    update (a full rebuild when they were never built). The result equals ``refresh``'s."""
    now = now or timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        _lock()
        done = last_refresh()
        if done is None:
            return refresh(now=now)
        digests = source_digests()
        stored = dict(RollupSource.objects.values_list("key", "digest"))
        changed = [key for key in digests.keys() | stored.keys() if digests.get(key) != stored.get(key)]
        dirty: dict[int, dt.date | None] = {}
        for key in changed:
            _, inst, month = key.split(":")
            _mark(dirty, int(inst), None if month == "*" else dt.date.fromisoformat(month))
        from mentormemed.matching.models import SearchLog

        new_searches = (
            SearchLog.objects.filter(kind="search", id__gt=done.search_log_id)
            .annotate(month=_month("created_at"))
            .values_list("institution_id", "month")
            .distinct()
        )
        for inst, month in new_searches:
            _mark(dirty, inst, month)
        high_water = _search_high_water(done.search_log_id, now)
        for part in sorted(dirty.items(), key=lambda p: p[0]):
            _delete(part)
            _build(part)
        RollupSource.objects.filter(key__in=changed).delete()
        RollupSource.objects.bulk_create(
            (RollupSource(key=key, digest=digests[key]) for key in changed if key in digests), batch_size=5000
        )
        done.refreshed_at, done.search_log_id = now, high_water
        done.seconds = round(time.perf_counter() - started, 2)
        done.save(update_fields=["refreshed_at", "search_log_id", "seconds"])
    if dirty:
        _analyze()
    return done


def _mark(dirty: dict[int, dt.date | None], inst: int | None, month: dt.date | None) -> None:
    if inst is None:
        return
    if inst in dirty:
        known = dirty[inst]
        dirty[inst] = None if known is None or month is None else min(known, month)
    else:
        dirty[inst] = month


def _search_high_water(after: int, now: dt.datetime) -> int:
    from django.db.models import Max

    from mentormemed.matching.models import SearchLog

    found = SearchLog.objects.filter(id__gt=after, created_at__lte=now - HIGH_WATER_MARGIN).aggregate(m=Max("id"))["m"]
    return max(after, found or 0)


def source_digests() -> dict[str, str]:
    """A digest per partition of what the rollups are built from, keyed "source:institution:month"
    ("*": the whole institution). Counts, id sums and latest times per state: a new row, a decision,
    an ended relationship, a new evaluation or a withdrawn consent changes its partition's digest."""
    from django.db.models import Max, Sum

    from mentormemed.evaluations.models import Evaluation
    from mentormemed.institutions.models import Membership
    from mentormemed.mentorships.models import Goal, MentorshipRequest, Relationship
    from mentormemed.scheduling.models import Meeting

    parts: dict[str, list] = defaultdict(list)

    def add(source: str, rows, *, whole: bool = False) -> None:
        for inst, *rest in rows:
            month = "*" if whole else rest.pop(0).isoformat()
            parts[f"{source}:{inst}:{month}"].append(rest)

    add(
        "req",
        MentorshipRequest.objects.annotate(inst=F("mentee__institution_id"), month=_month("created_at"))
        .values("inst", "month", "state")
        .annotate(n=Count("id"), ids=Sum("id"), last=Max("responded_at"))
        .values_list("inst", "month", "state", "n", "ids", "last")
        .order_by(),
    )
    add(
        "rel",
        Relationship.objects.annotate(inst=F("mentee__institution_id"), month=_month("started_at"))
        .values("inst", "month")
        .annotate(
            n=Count("id"),
            ids=Sum("id"),
            ended=Count("ended_at"),
            last=Max("ended_at"),
            reqs=Sum("request_id"),
            checked=Count("mentee_checkin_at"),
            checked_last=Max("mentee_checkin_at"),
        )
        .values_list("inst", "month", "n", "ids", "ended", "last", "reqs", "checked", "checked_last")
        .order_by(),
    )
    add(
        "eval",
        Evaluation.objects.filter(competency_mean__isnull=False)
        .annotate(inst=F("relationship__mentee__institution_id"), month=_month("relationship__started_at"))
        .values("inst", "month")
        .annotate(n=Count("id"), ids=Sum("id"))
        .values_list("inst", "month", "n", "ids")
        .order_by(),
    )
    add(
        "meet",
        Meeting.objects.annotate(
            inst=F("relationship__mentee__institution_id"), month=_month("relationship__started_at")
        )
        .values("inst", "month", "status")
        .annotate(n=Count("id"), ids=Sum("id"), last=Max("starts_at"))
        .values_list("inst", "month", "status", "n", "ids", "last")
        .order_by(),
    )
    add(
        "goal",
        Goal.objects.annotate(inst=F("relationship__mentee__institution_id"), month=_month("relationship__started_at"))
        .values("inst", "month")
        .annotate(n=Count("id"), ids=Sum("id"), progress=Sum("progress"))
        .values_list("inst", "month", "n", "ids", "progress")
        .order_by(),
    )
    add(
        "people",
        Membership.objects.filter(role="mentee")
        .values(
            "institution_id",
            "mentee_profile__training_level",
            "mentee_profile__consent_analytics",
            *(f"eligibility__{b}" for b in BASES),
        )
        .annotate(n=Count("id"), ids=Sum("id"))
        .values_list(
            "institution_id",
            "mentee_profile__training_level",
            "mentee_profile__consent_analytics",
            *(f"eligibility__{b}" for b in BASES),
            "n",
            "ids",
        )
        .order_by(),
        whole=True,
    )
    return {key: hashlib.sha1(repr(sorted(rows, key=repr)).encode()).hexdigest() for key, rows in parts.items()}


def _build(part: Part | None) -> None:
    _searches(part)
    _search_keys(part)
    _requests(part)
    _relationships(part)
    _journeys(part)
    _unmet_searches(part)


def _delete(part: Part) -> None:
    inst, since = part
    after = {"month__gte": since} if since else {}
    for model in (SearchRollup, SearchKeyRollup, UnmetSearchRollup):
        model.objects.filter(institution_id=inst, **after).delete()
    for model in (RequestFact, RequestFactLabel, RelationshipFact):
        model.objects.filter(mentee_institution_id=inst, **after).delete()
    MenteeJourney.objects.filter(institution_id=inst).delete()


def _since(sql: str, params, part: Part | None, columns: list[str]) -> tuple[str, tuple]:
    """Keep the rows from the part's first month on, the window columns computed over all of them."""
    if not part or not part[1]:
        return sql, tuple(params)
    names = ", ".join(f"w.{c}" for c in columns)
    return f"SELECT {names} FROM ({sql}) w WHERE w.month >= %s", (*params, part[1])


def _start(month: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(month.year, month.month, 1), timezone.get_current_timezone())


def _insert(model, columns: list[str], qs) -> None:
    """INSERT INTO model(columns) SELECT … — ``qs`` is a values() queryset in the same column order."""
    sql, params = qs.query.sql_with_params()
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) {sql}", params)


def _month(field: str):
    return TruncMonth(field, output_field=DateField())


def _flag(path: str):
    # A mentee without an eligibility row holds no basis (LEFT JOIN gives NULL).
    return Coalesce(F(path), Value(False), output_field=BooleanField())


def _consenting(prefix: str) -> Q:
    return Q(**{f"{prefix}mentee_profile__consent_analytics": True})


def _search_log(part: Part | None):
    from mentormemed.matching.models import SearchLog

    qs = SearchLog.objects.filter(kind="search").filter(_consenting("viewer__"))
    return qs.filter(institution_id=part[0]) if part else qs


def _searches(part: Part | None = None) -> None:
    dims = ["institution_id", "viewer_id", "month", "training_level", *BASES]
    qs = (
        _search_log(part)
        .annotate(month=_month("created_at"), **{b: _flag(f"viewer__eligibility__{b}") for b in BASES})
        .values(*dims)
        .annotate(
            n=Count("id"),
            n0=Count("id", filter=Q(result_count=0)),
            n1=Count("id", filter=Q(result_count__gte=1, result_count__lte=3)),
            n4=Count("id", filter=Q(result_count__gte=4)),
        )
        .order_by()
    )
    sql, params = qs.query.sql_with_params()
    group = _level_group("s.training_level")
    prevs = {
        "prev_all": _prev("s.viewer_id"),
        "prev_group": _prev(f"s.viewer_id, {group}"),
        "prev_level": _prev("s.viewer_id, s.training_level"),
    }
    for name, column in (("none", "n0"), ("few", "n1"), ("many", "n4")):
        prevs[f"prev_{name}_all"] = _prev(f"s.viewer_id, s.{column} > 0", when=f"s.{column} > 0")
        prevs[f"prev_{name}_group"] = _prev(f"s.viewer_id, {group}, s.{column} > 0", when=f"s.{column} > 0")
    columns = [*dims, "searches", "no_results", "few_results", "many_results", *prevs]
    counts = ["s.n AS searches", "s.n0 AS no_results", "s.n1 AS few_results", "s.n4 AS many_results"]
    select = ", ".join([*(f"s.{d}" for d in dims), *counts, *(f"{v} AS {k}" for k, v in prevs.items())])
    _insert_sql(SearchRollup, columns, *_since(f"SELECT {select} FROM ({sql}) s", params, part, columns))


def _level_group(column: str) -> str:
    """1 for a UME level, 2 for GME, 0 otherwise (the dashboards' level filter)."""
    ume, gme = (", ".join(f"'{level}'" for level in levels) for levels in (UME, GME))
    return f"CASE WHEN {column} IN ({ume}) THEN 1 WHEN {column} IN ({gme}) THEN 2 ELSE 0 END"


def _prev(partition: str, *, when: str | None = None) -> str:
    """The month of the person's previous row in the same partition (rows by month, then level)."""
    lag = f"LAG(s.month) OVER (PARTITION BY {partition} ORDER BY s.month, s.training_level)"
    return f"CASE WHEN {when} THEN {lag} END" if when else lag


def _insert_sql(model, columns: list[str], sql: str, params) -> None:
    q = connection.ops.quote_name
    names = ", ".join(q(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(model._meta.db_table)} ({names}) {sql}", params)


def _search_keys(part: Part | None = None) -> None:
    """Per key of ``filters["f"]`` (each key once per search), expanded by the database's JSON functions."""
    dims = ["institution_id", "viewer_id", "month", "training_level", *BASES]
    inner = (
        _search_log(part)
        .annotate(month=_month("created_at"), **{b: _flag(f"viewer__eligibility__{b}") for b in BASES})
        .values("id", *dims, "filters", "result_count")
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    if connection.vendor == "postgresql":
        keys = (
            "jsonb_array_elements_text(CASE WHEN jsonb_typeof(s.filters->'f') = 'array' "
            "THEN s.filters->'f' ELSE '[]'::jsonb END) AS k(value)"
        )
    else:
        keys = (
            "json_each(CASE WHEN json_type(s.filters, '$.f') = 'array' "
            "THEN json_extract(s.filters, '$.f') ELSE '[]' END) AS k"
        )
    dim_sql = ", ".join(f"x.{d}" for d in dims)
    group = _level_group("s.training_level")
    prevs = {
        "prev_all": _prev("s.viewer_id, s.key"),
        "prev_group": _prev(f"s.viewer_id, s.key, {group}"),
        "prev_unmet_all": _prev("s.viewer_id, s.key, s.unmet > 0", when="s.unmet > 0"),
        "prev_unmet_group": _prev(f"s.viewer_id, s.key, {group}, s.unmet > 0", when="s.unmet > 0"),
    }
    columns = [*dims, "key", "searches", "unmet", *prevs]
    select = ", ".join(
        [*(f"s.{d}" for d in dims), "s.key", "s.searches", "s.unmet", *(f"{v} AS {k}" for k, v in prevs.items())]
    )
    built = (
        f"SELECT {select} FROM (SELECT {dim_sql}, x.key AS key, COUNT(*) AS searches, "
        f"SUM(CASE WHEN x.result_count <= 3 AND x.key LIKE 'area:%%' THEN 1 ELSE 0 END) AS unmet "
        f"FROM (SELECT DISTINCT s.id, {', '.join(f's.{d}' for d in dims)}, s.result_count, k.value AS key "
        f"FROM ({sql}) s, {keys}) x "
        f"GROUP BY {dim_sql}, x.key) s"
    )
    _insert_sql(SearchKeyRollup, columns, *_since(built, params, part, columns))


def _requests(part: Part | None = None) -> None:
    from mentormemed.mentorships.models import MentorshipRequest

    scope = Q(mentee__institution_id=part[0]) if part else Q()

    columns = [
        "request_id",
        "month",
        "created_at",
        "mentee_id",
        "mentee_institution_id",
        "mentor_id",
        "mentor_institution_id",
        "training_level",
        *BASES,
        "state",
        "response_time",
    ]
    qs = (
        MentorshipRequest.objects.filter(_consenting("mentee__"), scope)
        .annotate(
            **_request_columns(),
            response_time=Case(
                When(
                    Q(responded_at__isnull=False, state__in=["accepted", "declined"]),
                    then=ExpressionWrapper(F("responded_at") - F("created_at"), output_field=DurationField()),
                ),
                default=None,
                output_field=DurationField(),
            ),
        )
        .values(*columns)
        .order_by()
    )
    if part and part[1]:
        qs = qs.filter(month__gte=part[1])
    _insert(RequestFact, columns, qs)
    label_columns = [
        "request_id",
        "month",
        "mentee_id",
        "mentee_institution_id",
        "mentor_institution_id",
        "training_level",
        *BASES,
        "state",
        "kind",
        "name",
    ]
    for kind, path in (("spec", "mentor__specialties__name"), ("area", "areas__name")):
        labels = (
            MentorshipRequest.objects.filter(_consenting("mentee__"), scope, **{f"{path}__isnull": False})
            .annotate(**_request_columns(), kind=Value(kind), name=F(path))
            .values(*label_columns)
            .distinct()
            .order_by()
        )
        sql, params = labels.query.sql_with_params()
        lag = "LAG(s.month) OVER (PARTITION BY s.mentee_id, s.kind, s.name ORDER BY s.month, s.request_id)"
        select = ", ".join([*(f"s.{c}" for c in label_columns), f"{lag} AS prev"])
        columns = [*label_columns, "prev"]
        _insert_sql(RequestFactLabel, columns, *_since(f"SELECT {select} FROM ({sql}) s", params, part, columns))


def _request_columns() -> dict:
    return {
        "request_id": F("id"),
        "month": _month("created_at"),
        "mentee_institution_id": F("mentee__institution_id"),
        "mentor_institution_id": F("mentor__membership__institution_id"),
        "training_level": Coalesce(F("mentee__mentee_profile__training_level"), Value("")),
        **{b: _flag(f"mentee__eligibility__{b}") for b in BASES},
    }


def _relationships(part: Part | None = None) -> None:
    """One fact per relationship of a consenting mentee, with what the analysis compares."""
    from mentormemed.mentorships.models import Relationship

    scope = Q()
    if part:
        scope = Q(mentee__institution_id=part[0]) & (Q(started_at__gte=_start(part[1])) if part[1] else Q())
    rels = list(
        Relationship.objects.filter(_consenting("mentee__"), scope)
        .annotate(
            mentee_institution_id=F("mentee__institution_id"),
            mentor_institution_id=F("mentor__membership__institution_id"),
            training_level=Coalesce(F("mentee__mentee_profile__training_level"), Value("")),
            **{b: _flag(f"mentee__eligibility__{b}") for b in BASES},
        )
        .values(
            "id",
            "mentee_id",
            "mentor_id",
            "started_at",
            "ended_at",
            "end_reason",
            "mentee_checkin",
            "request_id",
            "mentee_institution_id",
            "mentor_institution_id",
            "training_level",
            *BASES,
        )
    )
    features = relationship_features(rels, narrow=part is not None)
    zone = timezone.get_current_timezone()
    batch = []
    for r, feat in zip(rels, features, strict=True):
        batch.append(
            RelationshipFact(
                relationship_id=r["id"],
                mentee_id=r["mentee_id"],
                month=r["started_at"].astimezone(zone).date().replace(day=1),
                started_at=r["started_at"],
                mentee_institution_id=r["mentee_institution_id"],
                mentor_institution_id=r["mentor_institution_id"],
                training_level=r["training_level"] or "",
                **{b: bool(r[b]) for b in BASES},
                shared="\t".join(sorted(feat["shared"])),
                areas="\t".join(sorted(feat["areas"])),
                **{name: feat[name] for name in MEASURES},
                **{key: value for name in MEASURES for key, value in _exact(name, feat[name]).items()},
            )
        )
    RelationshipFact.objects.bulk_create(batch, batch_size=2000)


def _exact(name: str, value: float | None) -> dict:
    m, e = stats.mantissa_exponent(value) if value is not None else (None, None)
    return {f"{name}_m": m, f"{name}_e": e}


# The success analysis's outcomes, one column each (named in outcomes.regression.OUTCOMES).
MEASURES = ("score", "months", "meetings", "goals", "working", "not_a_fit")


def _percent(flag: bool) -> float:
    return 100.0 if flag else 0.0


def _early(rels: list[dict], only) -> tuple[dict[int, int], dict[int, float]]:
    """Per relationship at least EARLY_DAYS old: meetings held in its first EARLY_DAYS, and the
    share (%) of its goals reached (100 % progress), for pairs that set goals."""
    from mentormemed.mentorships.models import Goal
    from mentormemed.scheduling.models import LIVE_STATUSES, Meeting

    window = dt.timedelta(days=EARLY_DAYS)
    now = timezone.now()
    old = {r["id"]: r["started_at"] for r in rels if r["started_at"] + window <= now}
    meetings = dict.fromkeys(old, 0)
    held = Meeting.objects.filter(only(relationship_id__in=list(old)), status__in=LIVE_STATUSES, starts_at__lt=now)
    for rel_id, starts_at in held.values_list("relationship_id", "starts_at").iterator(chunk_size=20000):
        if rel_id in old and old[rel_id] <= starts_at < old[rel_id] + window:
            meetings[rel_id] += 1
    goals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for rel_id, progress in Goal.objects.filter(only(relationship_id__in=list(old))).values_list(
        "relationship_id", "progress"
    ):
        if rel_id in old:
            goals[rel_id][0] += progress >= 100
            goals[rel_id][1] += 1
    return meetings, {rel_id: 100 * done / n for rel_id, (done, n) in goals.items()}


def relationship_features(rels: list[dict], *, narrow: bool = False) -> list[dict]:
    """Per relationship: shared characteristic groups, content areas, and the outcomes (``MEASURES``):
    evaluation mean, completed length, early meetings, goals reached, the mentee's check-in answer
    ("working" 100, "not working" 0, none unanswered) and, once ended, whether it ended as not a fit
    (the ending that leads to a re-match).

    ``narrow``: read only these relationships' people (an update of one institution), not everyone's."""
    from mentormemed.evaluations.models import Evaluation
    from mentormemed.matching.models import MentorFacet
    from mentormemed.mentorships.models import CheckIn, EndReason, MentorshipRequest
    from mentormemed.profiles.models import IdentityValue, MenteeProfile

    if not rels:
        return []
    mentee_ids = {r["mentee_id"] for r in rels}
    mentor_ids = {r["mentor_id"] for r in rels}

    def only(**lookups) -> Q:
        return Q(**lookups) if narrow else Q()

    scores = defaultdict(list)
    evaluations = Evaluation.objects.filter(only(relationship_id__in=[r["id"] for r in rels]))
    for rel_id, value in evaluations.filter(competency_mean__isnull=False).values_list(
        "relationship_id", "competency_mean"
    ):
        scores[rel_id].append(value)
    mentee_keys = defaultdict(set)
    # Only SHARED identity values: a private value never influences anything anyone sees (R8).
    for membership_id, dim, key, parent in IdentityValue.objects.filter(
        only(membership_id__in=mentee_ids), shared=True, option__no_answer=False, membership__role="mentee"
    ).values_list("membership_id", "option__dimension__key", "option__key", "option__parent__key"):
        if membership_id in mentee_ids:
            mentee_keys[membership_id].add(f"id:{dim}:{key}")
            if parent:
                mentee_keys[membership_id].add(f"id:{dim}:{parent}")
    profiles = MenteeProfile.objects.filter(only(membership_id__in=mentee_ids), consent_analytics=True)
    langs, specs = defaultdict(set), defaultdict(set)
    through = MenteeProfile.languages.through
    for profile_id, key in through.objects.filter(only(menteeprofile__membership_id__in=mentee_ids)).values_list(
        "menteeprofile_id", "language__key"
    ):
        langs[profile_id].add(key)
    through = MenteeProfile.specialty_interests.through
    for profile_id, key in through.objects.filter(only(menteeprofile__membership_id__in=mentee_ids)).values_list(
        "menteeprofile_id", "specialty__key"
    ):
        specs[profile_id].add(key)
    for pk, membership_id, languages_shared, home_shared, state in profiles.values_list(
        "pk", "membership_id", "languages_shared", "home_shared", "home_state__code"
    ):
        if membership_id not in mentee_ids:
            continue
        keys = mentee_keys[membership_id]
        if languages_shared:
            keys.update(f"lang:{key}" for key in langs[pk])
        if home_shared and state:
            keys.add(f"state:{state}")
        keys.update(f"spec:{key}" for key in specs[pk])
    mentor_keys = defaultdict(set)
    facets = MentorFacet.objects.filter(only(mentor_id__in=mentor_ids)).values_list("mentor_id", "key")
    for mentor_id, key in facets.iterator(chunk_size=20000):
        if mentor_id in mentor_ids:
            mentor_keys[mentor_id].add(key)
    areas = defaultdict(set)
    for request_id, name in MentorshipRequest.areas.through.objects.filter(
        only(mentorshiprequest_id__in={r["request_id"] for r in rels if r["request_id"]}),
        mentorshiprequest__relationship__isnull=False,
    ).values_list("mentorshiprequest_id", "contentarea__name"):
        areas[request_id].add(name)
    meetings, goals = _early(rels, only)
    out = []
    for r in rels:
        common = mentee_keys[r["mentee_id"]] & mentor_keys[r["mentor_id"]]
        out.append(
            {
                "shared": {key.rsplit(":", 1)[0] for key in common},
                "areas": areas.get(r["request_id"], set()) if r["request_id"] else set(),
                "score": statistics.fmean(scores[r["id"]]) if scores.get(r["id"]) else None,
                "months": (r["ended_at"] - r["started_at"]).days / 30.44 if r["ended_at"] else None,
                "meetings": float(meetings[r["id"]]) if r["id"] in meetings else None,
                "goals": goals.get(r["id"]),
                "working": _percent(r["mentee_checkin"] == CheckIn.WORKING) if r["mentee_checkin"] else None,
                "not_a_fit": _percent(r["end_reason"] == EndReason.NOT_A_FIT) if r["ended_at"] else None,
            }
        )
    return out


def _journeys(part: Part | None = None) -> None:
    """Per consenting mentee: the first search, the first request and the first relationship (all time)."""
    from django.db.models import Min

    from mentormemed.institutions.models import Membership
    from mentormemed.matching.models import SearchLog
    from mentormemed.mentorships.models import MentorshipRequest, Relationship

    def scope(prefix: str) -> Q:
        return Q(**{f"{prefix}institution_id": part[0]}) if part else Q()

    mentees = (
        Membership.objects.filter(scope(""), role="mentee", mentee_profile__consent_analytics=True)
        .annotate(
            level=Coalesce(F("mentee_profile__training_level"), Value("")),
            **{b: _flag(f"eligibility__{b}") for b in BASES},
        )
        .values_list("pk", "institution_id", "level", *BASES)
    )
    searched = dict(
        SearchLog.objects.filter(scope("viewer__"), kind="search", viewer__mentee_profile__consent_analytics=True)
        .values("viewer_id")
        .annotate(first=Min("created_at"))
        .values_list("viewer_id", "first")
    )
    requested = dict(
        MentorshipRequest.objects.filter(scope("mentee__"), _consenting("mentee__"))
        .values("mentee_id")
        .annotate(first=Min("created_at"))
        .values_list("mentee_id", "first")
    )
    matched: dict[int, tuple] = {}
    for mentee_id, started, mentor_inst, mentee_inst in (
        Relationship.objects.filter(scope("mentee__"), _consenting("mentee__"))
        .order_by("mentee_id", "started_at", "id")
        .values_list("mentee_id", "started_at", "mentor__institution_id", "mentee__institution_id")
    ):
        matched.setdefault(mentee_id, (started, mentor_inst == mentee_inst))
    batch = [
        MenteeJourney(
            mentee_id=pk,
            institution_id=inst,
            training_level=level or "",
            **dict(zip(BASES, (bool(b) for b in bases), strict=True)),
            first_search_at=searched.get(pk),
            first_request_at=requested.get(pk),
            matched_at=matched.get(pk, (None, None))[0],
            matched_local=matched.get(pk, (None, None))[1],
        )
        for pk, inst, level, *bases in mentees
    ]
    MenteeJourney.objects.bulk_create(batch, batch_size=2000)


NEED_PREFIXES = ("area:", "spec:")
NOT_AFFINITY = ("role:", "scope:", *NEED_PREFIXES)


def search_needs(keys: list[str]) -> tuple[list[str], list[str]]:
    """The need filters (content areas, specialties) and affinity filters (shared characteristics)
    of one search's filter keys."""
    needs = sorted({k for k in keys if k.startswith(NEED_PREFIXES)})
    affinities = sorted({k for k in keys if ":" in k and not k.startswith(NOT_AFFINITY)})
    return needs, affinities


def _unmet_searches(part: Part | None = None) -> None:
    """Searches with 3 or fewer results, per person, month, need and affinity (``UnmetSearchRollup``)."""
    from mentormemed.matching.models import SearchLog

    zone = timezone.get_current_timezone()
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    scope = Q()
    if part:
        scope = Q(institution_id=part[0]) & (Q(created_at__gte=_start(part[1])) if part[1] else Q())
    rows = (
        SearchLog.objects.filter(scope, kind="search", result_count__lte=3)
        .filter(_consenting("viewer__"))
        .annotate(**{b: _flag(f"viewer__eligibility__{b}") for b in BASES})
        .values_list("institution_id", "viewer_id", "created_at", "training_level", *BASES, "filters", "result_count")
    )
    for inst, viewer, created, level, *rest in rows.iterator(chunk_size=5000):
        *bases, filters, results = rest
        keys = filters.get("f") if isinstance(filters, dict) else None
        needs, affinities = search_needs([k for k in keys or [] if isinstance(k, str)])
        if not needs and not affinities:
            continue
        month = created.astimezone(zone).date().replace(day=1)
        cohort = (level or "", *(bool(b) for b in bases))
        # ("*", "*") counts each such search once: the total the ranked rows are part of.
        pairs = {(n, a) for n in ["", *needs] for a in ["", *affinities]} - {("", "")} | {("*", "*")}
        for need, affinity in pairs:
            cell = cells[inst, viewer, month, need, affinity, cohort]
            cell[0] += 1
            cell[1] += results == 0
    UnmetSearchRollup.objects.bulk_create(
        (
            UnmetSearchRollup(
                institution_id=inst,
                viewer_id=viewer,
                month=month,
                need=need,
                affinity=affinity,
                training_level=cohort[0],
                **dict(zip(BASES, cohort[1:], strict=True)),
                searches=n,
                empty=empty,
            )
            for (inst, viewer, month, need, affinity, cohort), (n, empty) in cells.items()
        ),
        batch_size=5000,
    )
