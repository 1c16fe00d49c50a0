"""Reference: the outcomes figures computed directly from the source tables (the pre-rollup selectors).

Test-only. The rollup-backed selectors must give exactly these figures (tests/test_rollups.py).

Every figure is computed from mentees who consented to aggregate analytics, scoped to the
institution given (``institution=None`` is the national view, for staff only), filtered by
date range and cohort, and passed through small-cell suppression before anyone sees it.
Queries are aggregate (GROUP BY) per table, so the count does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, DateField, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from mentormemed.core.conf import product
from mentormemed.outcomes import stats
from mentormemed.outcomes.selectors import (  # shared, not recomputed: only the queries differ
    BASES,
    DECIDED,
    GME,
    UME,
    Analysis,
    Filters,
    analysis_table,
    level_group,
    quarter_of,
    requests_month_table,
    searches_level_table,
    searches_month_table,
)
from mentormemed.outcomes.selectors.matches import _COLUMNS, _acceptance
from mentormemed.outcomes.selectors.periods import _month_key
from mentormemed.outcomes.selectors.success import _group_labels
from mentormemed.outcomes.suppression import RATIO, Cell, Row, k_min, protect, protect_cell
from mentormemed.outcomes.tables import Table, count, rate


def cohort_q(prefix: str, f: Filters, *, level_field: str | None = None) -> Q:
    """Consenting mentees of the chosen cohort, reached through ``prefix`` (e.g. ``"mentee__"``)."""
    q = Q(**{f"{prefix}mentee_profile__consent_analytics": True})
    level_field = level_field or f"{prefix}mentee_profile__training_level"
    if f.level == "ume":
        q &= Q(**{f"{level_field}__in": UME})
    elif f.level == "gme":
        q &= Q(**{f"{level_field}__in": GME})
    if f.basis:
        q &= Q(**{f"{prefix}eligibility__{f.basis}": True})
    return q


# ------------------------------------------------------------------ searches (R11, R23)


def _searches(institution, f: Filters):
    from mentormemed.matching.models import SearchLog

    start, end = f.bounds
    qs = SearchLog.objects.filter(kind="search", created_at__gte=start, created_at__lt=end).filter(
        cohort_q("viewer__", f, level_field="training_level")
    )
    return qs.filter(institution=institution) if institution is not None else qs


def search_tables(institution, f: Filters) -> list[Table]:
    qs = _searches(institution, f)
    k = k_min()
    tables = []

    monthly = qs.annotate(m=TruncMonth("created_at", output_field=DateField()))
    by_month = {
        _month_key(r["m"]): r for r in monthly.values("m").annotate(n=Count("id"), p=Count("viewer", distinct=True))
    }
    by_quarter = {
        _month_key(r["q"]): r
        for r in monthly.annotate(q=quarter_of(f, "m"))
        .values("q")
        .annotate(n=Count("id"), p=Count("viewer", distinct=True))
    }
    totals = qs.aggregate(n=Count("id"), p=Count("viewer", distinct=True))
    total = Row("All months", [count(totals["n"], totals["p"])], totals["p"])
    tables.append(searches_month_table(f, by_month, by_quarter, totals, k))

    levels = {
        r["training_level"]: r
        for r in qs.values("training_level").annotate(n=Count("id"), p=Count("viewer", distinct=True))
    }
    groups = {
        r["g"]: r
        for r in qs.annotate(g=level_group("training_level"))
        .values("g")
        .annotate(n=Count("id"), p=Count("viewer", distinct=True))
    }
    tables.append(searches_level_table(levels, groups, total, k))

    agg = {}
    for key, _ in BASES:
        agg[f"n_{key}"] = Count("id", filter=Q(**{f"viewer__eligibility__{key}": True}))
        agg[f"p_{key}"] = Count("viewer", filter=Q(**{f"viewer__eligibility__{key}": True}), distinct=True)
    values = qs.aggregate(**agg)
    rows = [Row(label, [count(values[f"n_{key}"], values[f"p_{key}"])], values[f"p_{key}"]) for key, label in BASES]
    protect(rows, additive=False, reference=total, k=k)  # a mentee may hold several bases: rows overlap
    tables.append(
        Table(
            "searches_by_basis",
            "Searches by eligibility basis",
            ["Searches"],
            rows,
            "Eligibility basis",
            chart="hbar",
            note="A mentee with several bases counts in each, so the rows do not add up.",
        )
    )

    buckets = qs.aggregate(
        n0=Count("id", filter=Q(result_count=0)),
        p0=Count("viewer", filter=Q(result_count=0), distinct=True),
        n1=Count("id", filter=Q(result_count__gte=1, result_count__lte=3)),
        p1=Count("viewer", filter=Q(result_count__gte=1, result_count__lte=3), distinct=True),
        n4=Count("id", filter=Q(result_count__gte=4)),
        p4=Count("viewer", filter=Q(result_count__gte=4), distinct=True),
    )
    rows = [
        Row(
            "No results",
            [count(buckets["n0"], buckets["p0"]), rate(buckets["n0"], totals["n"], buckets["p0"])],
            buckets["p0"],
        ),
        Row(
            "1–3 results",
            [count(buckets["n1"], buckets["p1"]), rate(buckets["n1"], totals["n"], buckets["p1"])],
            buckets["p1"],
        ),
        Row(
            "4 or more",
            [count(buckets["n4"], buckets["p4"]), rate(buckets["n4"], totals["n"], buckets["p4"])],
            buckets["p4"],
        ),
    ]
    unmet_total = Row(
        "Searches with 3 or fewer results",
        [count(buckets["n0"] + buckets["n1"], max(buckets["p0"], buckets["p1"]))],
        max(buckets["p0"], buckets["p1"]),
    )
    filter_tables = _filter_tables(qs, k, total, unmet_total)
    results_total = Row(
        "All searches",
        [count(totals["n"], totals["p"]), Cell(100.0 if totals["n"] else None, totals["p"], fmt="{:.0f}%", kind=RATIO)],
        totals["p"],
    )
    protect(rows, total=results_total, additive=True, k=k)
    tables.extend(filter_tables)
    tables.append(
        Table(
            "searches_by_results",
            "Searches with no or few results (unmet demand)",
            ["Searches", "Share"],
            rows,
            "Results",
            total=results_total,
            description="Searches that found no or few mentors show where supply is short.",
        )
    )
    return tables


def _filter_tables(qs, k: int, total: Row, unmet_total: Row) -> list[Table]:
    """Which filters and content areas were searched, overall and among searches with ≤ 3 results."""
    from mentormemed.matching.index import catalog

    known = catalog()
    searches, people = Counter(), defaultdict(set)
    unmet, unmet_people = Counter(), defaultdict(set)
    for filters, viewer, results in qs.values_list("filters", "viewer_id", "result_count").iterator(chunk_size=5000):
        for key in set((filters or {}).get("f") or []):
            searches[key] += 1
            people[key].add(viewer)
            if results <= 3 and key.startswith("area:"):
                unmet[key] += 1
                unmet_people[key].add(viewer)

    def label(key: str) -> str:
        info = known.get(key)
        return f"{info.group_label}: {info.label}" if info else key

    rows = [Row(label(key), [count(n, len(people[key]))], len(people[key])) for key, n in searches.most_common(15)]
    protect(rows, additive=False, reference=total, k=k)
    first = Table(
        "searched_filters",
        "Filters and content areas searched (top 15)",
        ["Searches"],
        rows,
        "Filter",
        chart="hbar",
        note="A search may use several filters, so the rows do not add up.",
    )
    rows = [
        Row(label(key), [count(n, len(unmet_people[key]))], len(unmet_people[key])) for key, n in unmet.most_common(10)
    ]
    protect(rows, additive=False, reference=unmet_total, k=k)
    second = Table(
        "unmet_areas",
        "Content areas searched with 3 or fewer results",
        ["Searches"],
        rows,
        "Content area",
        chart="hbar",
        description="Where mentees looked for help and found little: candidates for recruiting mentors.",
    )
    return [first, second]


# ------------------------------------------------------------------ matches (R13, R23)


def _requests(institution, f: Filters):
    from mentormemed.mentorships.models import MentorshipRequest

    start, end = f.bounds
    qs = MentorshipRequest.objects.filter(created_at__gte=start, created_at__lt=end).filter(cohort_q("mentee__", f))
    if institution is not None:
        qs = qs.filter(Q(mentee__institution=institution) | Q(mentor__membership__institution=institution))
    return qs


def _state_counts() -> dict:
    agg = {"n": Count("id", distinct=True), "p": Count("mentee", distinct=True)}
    for key, _, q in _COLUMNS.values():
        agg[f"n_{key}"] = Count("id", filter=q, distinct=True)
        agg[f"p_{key}"] = Count("mentee", filter=q, distinct=True)
    agg["n_decided"] = Count("id", filter=DECIDED, distinct=True)
    agg["p_decided"] = Count("mentee", filter=DECIDED, distinct=True)
    agg["p_answered"] = Count("mentee", filter=Q(state__in=["accepted", "declined"]), distinct=True)
    return agg


def match_tables(institution, f: Filters) -> tuple[list[Table], list[dict]]:
    """Tables and the headline figures (each a suppressed Cell with a label)."""
    from mentormemed.mentorships.models import Relationship

    qs = _requests(institution, f)
    k = k_min()
    tables = []
    totals = qs.aggregate(**_state_counts())

    monthly = qs.annotate(m=TruncMonth("created_at", output_field=DateField()))
    by_month = {_month_key(r["m"]): r for r in monthly.values("m").annotate(**_state_counts())}
    by_quarter = {
        _month_key(r["q"]): r for r in monthly.annotate(q=quarter_of(f, "m")).values("q").annotate(**_state_counts())
    }
    tables.append(requests_month_table(f, by_month, by_quarter, totals, k))

    local_q = Q(mentee__institution_id=F("mentor__membership__institution_id"))
    rows = []
    for q, label in ((local_q, "Local (same institution)"), (~local_q, "National (another institution)")):
        r = qs.filter(q).aggregate(**_state_counts())
        rows.append(
            Row(label, [count(r["n"], r["p"]), count(r["n_accepted"], r["p_accepted"]), _acceptance(r)], r["p"])
        )
    protect(
        rows,
        total=Row(
            "All", [count(totals["n"], totals["p"]), count(totals["n_accepted"], totals["p_accepted"])], totals["p"]
        ),
        additive=True,
        k=k,
    )
    tables.append(
        Table(
            "requests_local_national",
            "Local and national matches",
            ["Requests", "Accepted", "Acceptance rate"],
            rows,
            "Mentor's institution",
            chart="bar",
            chart_columns=[0, 1],
        )
    )

    reference = Row(
        "All requests",
        [count(totals["n"], totals["p"]), count(totals["n_accepted"], totals["p_accepted"])],
        totals["p"],
    )
    tables.append(
        _breakdown(
            qs,
            "mentor__specialties__name",
            "requests_by_specialty",
            "Requests by mentor's specialty",
            "Specialty",
            k,
            reference,
        )
    )
    tables.append(
        _breakdown(
            qs, "areas__name", "requests_by_area", "Requests by content area asked about", "Content area", k, reference
        )
    )
    tables.append(_response_times(qs, k, totals))

    rel = Relationship.objects.filter(ended_at__isnull=True).filter(cohort_q("mentee__", f))
    if institution is not None:
        rel = rel.filter(Q(mentee__institution=institution) | Q(mentor__membership__institution=institution))
    active = rel.aggregate(
        n=Count("id"),
        p=Count("mentee", distinct=True),
        s=Count("id", filter=Q(is_sponsor=True)),
        ps=Count("mentee", filter=Q(is_sponsor=True), distinct=True),
        pn=Count("mentee", filter=Q(is_sponsor=False), distinct=True),
    )
    answered = qs.filter(responded_at__isnull=False, state__in=["accepted", "declined"])
    headline = [
        {"label": "Requests sent", "cell": protect_cell(count(totals["n"], totals["p"]), k)},
        {
            "label": "Acceptance rate",
            "cell": protect_cell(_acceptance(totals), k),
            "help": "accepted ÷ (accepted + declined + expired)",
        },
        {
            "label": "Expiry rate",
            "cell": protect_cell(
                rate(totals["n_expired"], totals["n_decided"], totals["p_expired"], totals["p_answered"]), k
            ),
            "help": "requests left unanswered until the deadline",
        },
        {
            "label": "Median response time",
            "cell": protect_cell(_median_response(qs, answered.values("mentee").distinct().count()), k),
        },
        {"label": "Active mentorships now", "cell": protect_cell(count(active["n"], active["p"]), k)},
        {
            "label": "Mentors also sponsoring",
            "cell": protect_cell(Cell(active["s"], active["ps"], parts=(active["pn"],)), k),
            "help": "active mentorships in which the mentor also acts as a sponsor",
        },
    ]
    return tables, headline


def _breakdown(qs, field: str, key: str, title: str, header: str, k: int, reference: Row) -> Table:
    rows = []
    data = (
        qs.exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(
            n=Count("id", distinct=True),
            a=Count("id", filter=Q(state="accepted"), distinct=True),
            d=Count("id", filter=DECIDED, distinct=True),
            p=Count("mentee", distinct=True),
            pa=Count("mentee", filter=Q(state="accepted"), distinct=True),
            pr=Count("mentee", filter=Q(state__in=["declined", "expired"]), distinct=True),
        )
        .order_by("-n")[:15]
    )
    for r in data:
        cells = [count(r["n"], r["p"]), count(r["a"], r["pa"]), rate(r["a"], r["d"], r["pa"], r["pr"])]
        rows.append(Row(r[field], cells, r["p"]))
    protect(rows, additive=False, reference=reference, k=k)
    return Table(
        key,
        title,
        ["Requests", "Accepted", "Acceptance rate"],
        rows,
        header,
        chart="hbar",
        chart_columns=[0, 1],
        note="A request can count under several specialties or areas, so rows do not add up.",
    )


def _durations_hours(qs) -> list[float]:
    rows = qs.filter(responded_at__isnull=False, state__in=["accepted", "declined"]).values_list(
        "created_at", "responded_at"
    )
    return [(answered - sent).total_seconds() / 3600 for sent, answered in rows.iterator(chunk_size=5000)]


def _response_times(qs, k: int, totals: dict) -> Table:
    buckets = [("Within a day", 0, 24), ("1–3 days", 24, 72), ("3–7 days", 72, 24 * 7), ("Over 7 days", 24 * 7, 10**9)]
    answered = list(
        qs.filter(responded_at__isnull=False, state__in=["accepted", "declined"]).values_list(
            "created_at", "responded_at", "mentee_id"
        )
    )
    expired = qs.filter(state="expired").aggregate(n=Count("id"), p=Count("mentee", distinct=True))
    rows = []
    for label, low, high in buckets:
        hits = [(m) for sent, done, m in answered if low <= (done - sent).total_seconds() / 3600 < high]
        rows.append(Row(label, [count(len(hits), len(set(hits)))], len(set(hits))))
    rows.append(Row("No answer (expired)", [count(expired["n"], expired["p"])], expired["p"]))
    decided = Row("Decided", [count(totals["n_decided"], totals["p_decided"])], totals["p_decided"])
    protect(rows, total=decided, additive=True, k=k)
    return Table(
        "response_times",
        "How fast mentors answered",
        ["Requests"],
        rows,
        "Answered",
        chart="bar",
        description="Responsiveness matters most to mentees.",
    )


# ------------------------------------------------------------------ successful matches (R23)


def _early_measures(rels: list[dict], now) -> tuple[dict, dict]:
    """Written independently of the rollups: per relationship started at least 91 days ago, the
    meetings not cancelled that started in its first 91 days, and the % of its goals at 100."""
    from mentormemed.mentorships.models import Goal
    from mentormemed.scheduling.models import Meeting

    meetings, goals = {}, {}
    for r in rels:
        first = r["started_at"] + dt.timedelta(days=91)
        if first > now:
            continue
        meetings[r["id"]] = float(
            Meeting.objects.filter(
                relationship_id=r["id"], starts_at__gte=r["started_at"], starts_at__lt=min(first, now)
            )
            .exclude(status="cancelled")
            .count()
        )
        progress = list(Goal.objects.filter(relationship_id=r["id"]).values_list("progress", flat=True))
        if progress:
            goals[r["id"]] = 100 * sum(p >= 100 for p in progress) / len(progress)
    return meetings, goals


def _relationship_features(institution, f: Filters) -> list[dict]:
    """One dict per relationship started in range: its shared characteristics, areas, score and length."""
    from mentormemed.evaluations.models import Evaluation
    from mentormemed.matching.models import MentorFacet
    from mentormemed.mentorships.models import Relationship
    from mentormemed.profiles.models import IdentityValue, MenteeProfile

    start, end = f.bounds
    rels = Relationship.objects.filter(started_at__gte=start, started_at__lt=end).filter(cohort_q("mentee__", f))
    if institution is not None:
        rels = rels.filter(Q(mentee__institution=institution) | Q(mentor__membership__institution=institution))
    rels = list(
        rels.values(
            "id", "mentee_id", "mentor_id", "started_at", "ended_at", "request_id", "end_reason", "mentee_checkin"
        )
    )
    if not rels:
        return []
    rel_ids = [r["id"] for r in rels]
    scores = defaultdict(list)
    for rel_id, value in Evaluation.objects.filter(
        relationship_id__in=rel_ids, competency_mean__isnull=False
    ).values_list("relationship_id", "competency_mean"):
        scores[rel_id].append(value)
    mentee_ids = {r["mentee_id"] for r in rels}
    mentee_keys = defaultdict(set)
    # Only SHARED identity values: a private value never influences anything anyone sees (R8).
    for membership_id, dim, key, parent in IdentityValue.objects.filter(
        membership_id__in=mentee_ids, shared=True, option__no_answer=False
    ).values_list("membership_id", "option__dimension__key", "option__key", "option__parent__key"):
        mentee_keys[membership_id].add(f"id:{dim}:{key}")
        if parent:
            mentee_keys[membership_id].add(f"id:{dim}:{parent}")
    for profile in (
        MenteeProfile.objects.filter(membership_id__in=mentee_ids)
        .prefetch_related("languages", "specialty_interests")
        .select_related("home_state")
    ):
        keys = mentee_keys[profile.membership_id]
        if profile.languages_shared:
            keys.update(f"lang:{lang.key}" for lang in profile.languages.all())
        if profile.home_shared and profile.home_state_id:
            keys.add(f"state:{profile.home_state.code}")
        keys.update(f"spec:{s.key}" for s in profile.specialty_interests.all())
    mentor_keys = defaultdict(set)
    for mentor_id, key in MentorFacet.objects.filter(mentor_id__in={r["mentor_id"] for r in rels}).values_list(
        "mentor_id", "key"
    ):
        mentor_keys[mentor_id].add(key)
    areas = defaultdict(set)
    from mentormemed.mentorships.models import MentorshipRequest

    for request_id, name in MentorshipRequest.areas.through.objects.filter(
        mentorshiprequest_id__in=[r["request_id"] for r in rels if r["request_id"]]
    ).values_list("mentorshiprequest_id", "contentarea__name"):
        areas[request_id].add(name)
    now = timezone.now()
    meetings, goals = _early_measures(rels, now)
    out = []
    for r in rels:
        common = mentee_keys[r["mentee_id"]] & mentor_keys[r["mentor_id"]]
        groups = {key.rsplit(":", 1)[0] for key in common}
        months = ((r["ended_at"] or now) - r["started_at"]).days / 30.44
        out.append(
            {
                "mentee_id": r["mentee_id"],
                "shared": groups,
                "areas": areas.get(r["request_id"], set()),
                "score": statistics.fmean(scores[r["id"]]) if scores.get(r["id"]) else None,
                "months": months if r["ended_at"] else None,  # only completed relationships have a length
                "meetings": meetings.get(r["id"]),
                "goals": goals.get(r["id"]),
                "working": {"working": 100.0, "not_working": 0.0}.get(r["mentee_checkin"]),
                "not_a_fit": (100.0 if r["end_reason"] == "not_a_fit" else 0.0) if r["ended_at"] else None,
            }
        )
    return out


# ------------------------------------------------------------------ the whole dashboard


@dataclass
class Dashboard:
    filters: Filters
    searches: list[Table]
    matches: list[Table]
    headline: list[dict]
    analyses: list[Analysis]
    analysis_tables: list[Table]
    minimum: int

    def table(self, key: str) -> Table | None:
        return next((t for t in self.searches + self.matches + self.analysis_tables if t.key == key), None)


def dashboard(institution, f: Filters, *, use_cache: bool = True) -> Dashboard:
    """Every figure of the outcomes page. Cached briefly (product.outcomes_cache_seconds):
    outcomes move by the day, and a national page is expensive to recompute on every view."""

    seconds = product.outcomes_cache_seconds
    key = f"outcomes:{institution.pk if institution else 'national'}:{f.cache_key()}:{k_min()}"
    if use_cache and seconds:
        found = cache.get(key)
        if found is not None:
            return found
    searches = search_tables(institution, f)
    matches, headline = match_tables(institution, f)
    analyses = success_analysis(institution, f)
    result = Dashboard(
        f,
        searches,
        matches,
        headline,
        analyses,
        [analysis_table(a, f"analysis_{n}") for n, a in enumerate(analyses)],
        k_min(),
    )
    if use_cache and seconds:
        cache.set(key, result, seconds)
    return result


# Same text as in selectors, but bound to this module's direct queries.
def _median_response(qs, people: int) -> Cell:
    hours = _durations_hours(qs)
    if not hours:
        return Cell(None, people, kind=RATIO)
    median = statistics.median(hours)
    return Cell(
        round(median / 24, 1) if median >= 48 else round(median, 1),
        people,
        fmt="{} days" if median >= 48 else "{} hours",
        kind=RATIO,
    )


def _compared(observed: list[dict], field: str, k: int, key: str, label: str) -> stats.Comparison:
    inside = [row for row in observed if label in row[key]]
    without = [row[field] for row in observed if label not in row[key]]
    return stats.among_people(
        stats.compare([row[field] for row in inside], without, minimum=k),
        with_people=len({row["mentee_id"] for row in inside}),
        all_people=len({row["mentee_id"] for row in observed}),
        minimum=k,
    )


def success_analysis(institution, f: Filters) -> list[Analysis]:
    """Shared characteristics and content areas against evaluation scores and relationship length.

    For each characteristic: relationships sharing it vs not, difference in means with a 95% CI
    and Hedges' g. A comparison with fewer than k relationships on either side says "too few to
    conclude" and shows no means (small-cell rule). Observational: differences are associations.
    """
    features = _relationship_features(institution, f)
    k = k_min()
    labels = _group_labels()
    groups = sorted({g for row in features for g in row["shared"]} | {g for g in labels if g.startswith("id:")})
    area_names = Counter(a for row in features for a in row["areas"])
    out = []
    for outcome, unit, field in [
        ("Evaluation score", "points on 1–7", "score"),
        ("Relationship length", "months", "months"),
        ("Meetings in the first 13 weeks", "meetings", "meetings"),
        ("Goals reached", "percent of the pair's goals", "goals"),
        ("Check-in: it is working", "percent of mentees who answered", "working"),
        ("Ended as not a fit", "percent of ended relationships; lower is better", "not_a_fit"),
    ]:
        observed = [row for row in features if row[field] is not None]
        rows = [
            {"label": f"Shares {labels.get(g, g).lower()}", "result": _compared(observed, field, k, "shared", g)}
            for g in groups
        ]
        for area, _ in area_names.most_common(8):
            rows.append({"label": f"Asked about {area}", "result": _compared(observed, field, k, "areas", area)})
        out.append(Analysis(outcome, unit, len(observed), rows, len(observed) < 2 * k, k))
    return out
