"""The four views beyond the dashboard (R23, R27): minority-tax ledger, unmet need, time to match,
national reciprocity — for an institution's admin (their own scope) and for staff (national).

Every figure goes through the same small-cell suppression as the dashboard (``outcomes.suppression``):
a cell counts the distinct people it describes (mentees, and for the ledger the mentors too), rows
that add up to a released total get complementary suppression, overlapping rows the complement rule.
One release is one academic year (``selectors.Filters``), the same as the dashboard's, so the
differencing guarantees carry over. Only mentees who consented to aggregate analytics are counted.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from mentormemed.core.clock import platform_today
from mentormemed.core.conf import product
from mentormemed.outcomes import reciprocity
from mentormemed.outcomes.cohorts import BASES, GME, UME
from mentormemed.outcomes.needs import NeedSource, need_sources, rows_for
from mentormemed.outcomes.rollups import last_refresh, stored_release
from mentormemed.outcomes.selectors import Filters, quarters
from mentormemed.outcomes.selectors.periods import _period_label
from mentormemed.outcomes.suppression import RATIO, Cell, Row, k_min, protect, protect_cell
from mentormemed.outcomes.tables import Table, count, number, rate


@dataclass(frozen=True)
class View:
    slug: str
    title: str
    intro: str


VIEWS = {
    v.slug: v
    for v in (
        View(
            "ledger",
            gettext_lazy("Minority-tax ledger"),
            gettext_lazy(
                "Mentoring load carried by each group of mentors (requests received, mentees, meetings and hours) "
                "beside the credit that group receives (CME credits and participation letters), and how "
                "concentrated the load is: a Gini index of 0 means every mentor carries the same, 1 that one "
                "mentor carries it all."
            ),
        ),
        View(
            "unmet",
            gettext_lazy("Unmet need"),
            gettext_lazy(
                "Searches that found three mentors or fewer, by what the mentee needed and the characteristic "
                "they wanted to share, beside the mentors who offer both here and elsewhere: a recruitment list."
            ),
        ),
        View(
            "time-to-match",
            gettext_lazy("Time to match and load"),
            gettext_lazy(
                "How long mentees took from their first search (or first request) to the start of their first "
                "mentorship, by cohort; and how many mentors carry how much of the new mentorships."
            ),
        ),
        View(
            "reciprocity",
            gettext_lazy("National reciprocity"),
            gettext_lazy(
                "Relationships started in the period in which one institution's mentor serves another "
                "institution's mentee: what each institution gives to the network and receives from it."
            ),
        ),
    )
}


@dataclass
class Insight:
    view: View
    filters: Filters
    tables: list[Table]
    minimum: int
    as_of: dt.datetime | None
    recruitment: list[str] = field(default_factory=list)  # sentences of the unmet-need view
    benchmarks: list[dict] = field(default_factory=list)  # own figure against the network

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def insight_key(slug: str, institution, f: Filters) -> str:
    """What one release of a view depends on besides the rollup update (see ``selectors.dashboard_key``)."""
    scope = institution.pk if institution else "national"
    return f"insight:{slug}:{scope}:{f.cache_key()}:{k_min()}:{get_language()}"


def insight(slug: str, institution, f: Filters, *, use_cache: bool = True) -> Insight:
    """One view's figures for ``institution`` (``None``: national), as of the last rollup refresh.

    Reads only: when the rollups were never built the view says so (the sweep builds them)."""

    view = VIEWS[slug]
    done = last_refresh()
    as_of = done.refreshed_at if done else None
    seconds = product.outcomes_cache_seconds
    release = insight_key(slug, institution, f)
    key = f"{release}:{as_of.timestamp() if as_of else 0}"
    if use_cache and done is not None:
        stored = stored_release(release, done)  # computed by the sweep after this update
        if stored is not None:
            return stored
    if use_cache and seconds:
        found = cache.get(key)
        if found is not None:
            return found
    result = Insight(view, f, [], k_min(), as_of)
    BUILDERS[slug](result, institution, f)
    if use_cache and seconds:
        cache.set(key, result, seconds)
    return result


def _label(key: str, known: dict) -> str:
    info = known.get(key)
    return f"{info.group_label}: {info.label}" if info and info.group_label else info.label if info else key


def gini(values: list[float]) -> float | None:
    """The Gini index of non-negative loads (0: equal, →1: one carries all); None without load."""
    values = sorted(values)
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return None
    weighted = sum((i + 1) * v for i, v in enumerate(values))
    return (2 * weighted) / (n * total) - (n + 1) / n


def top_share(values: list[float], fraction: float = 0.2) -> tuple[float | None, int]:
    """The share (%) of the load carried by the busiest ``fraction`` of carriers, and how many they are."""
    values = sorted(values, reverse=True)
    top = max(1, round(len(values) * fraction)) if values else 0
    total = sum(values)
    return (round(100 * sum(values[:top]) / total, 1) if total else None), top


# ------------------------------------------------------------------ mentors in scope


def _mentors(institution) -> dict[int, dict]:
    """Active mentors in scope: profile id → membership id and institution."""
    from mentormemed.profiles.models import MentorProfile

    qs = MentorProfile.objects.filter(membership_active=True)
    if institution is not None:
        qs = qs.filter(institution=institution)
    return {
        pk: {"membership": m, "institution": i} for pk, m, i in qs.values_list("pk", "membership_id", "institution_id")
    }


def _consenting_rel(prefix: str = "") -> Q:
    return Q(**{f"{prefix}mentee__mentee_profile__consent_analytics": True})


# ------------------------------------------------------------------ minority-tax ledger


def _ledger(result: Insight, institution, f: Filters) -> None:
    from mentormemed.core.models import AuditEntry
    from mentormemed.matching.index import catalog
    from mentormemed.matching.models import MentorFacet
    from mentormemed.mentorships.models import Relationship
    from mentormemed.outcomes.models import RequestFact
    from mentormemed.scheduling.models import Meeting, MeetingStatus
    from mentormemed.training.models import CmeClaim

    k = result.minimum
    start, end = f.bounds
    mentors = _mentors(institution)
    load = {
        pk: {"req": set(), "requests": 0, "mentees": set(), "met": set(), "meetings": 0, "minutes": 0} for pk in mentors
    }
    requests = RequestFact.objects.filter(month__gte=f.start, month__lte=f.end)
    if institution is not None:
        requests = requests.filter(mentor_institution_id=institution.pk)
    for mentor_id, mentee_id in requests.values_list("mentor_id", "mentee_id"):
        if mentor_id in load:
            load[mentor_id]["requests"] += 1
            load[mentor_id]["req"].add(mentee_id)
    rels = Relationship.objects.filter(_consenting_rel(), started_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=start)
    )
    if institution is not None:
        rels = rels.filter(mentor__institution=institution)
    for mentor_id, mentee_id in rels.values_list("mentor_id", "mentee_id"):
        if mentor_id in load:
            load[mentor_id]["mentees"].add(mentee_id)
    meetings = Meeting.objects.filter(
        _consenting_rel("relationship__"), status=MeetingStatus.HELD, starts_at__gte=start, starts_at__lt=end
    )
    if institution is not None:
        meetings = meetings.filter(mentor__institution=institution)
    by_quarter: dict[dt.date, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    spans = quarters(f)
    zone = timezone.get_current_timezone()
    for mentor_id, mentee_id, starts, ends in meetings.values_list(
        "mentor_id", "relationship__mentee_id", "starts_at", "ends_at"
    ):
        if mentor_id not in load:
            continue
        minutes = (ends - starts).total_seconds() / 60
        item = load[mentor_id]
        item["meetings"] += 1
        item["minutes"] += minutes
        item["met"].add(mentee_id)
        month = starts.astimezone(zone).date().replace(day=1)
        for q_start, months in spans:
            if month in months:
                by_quarter[q_start][mentor_id] += minutes / 60
    by_membership = {m["membership"]: pk for pk, m in mentors.items()}
    credits: dict[int, Decimal] = defaultdict(Decimal)
    claims = CmeClaim.objects.filter(claimed_at__gte=start, claimed_at__lt=end)
    if institution is not None:
        claims = claims.filter(membership__institution=institution)
    for membership_id, value in claims.values_list("membership_id", "credits"):
        if membership_id in by_membership:
            credits[by_membership[membership_id]] += value
    letters: dict[int, int] = defaultdict(int)
    entries = AuditEntry.objects.filter(action="reward.letter", at__gte=start, at__lt=end)
    if institution is not None:
        entries = entries.filter(institution=institution)
    for object_id in entries.values_list("object_id", flat=True):
        pk = by_membership.get(int(object_id)) if str(object_id).isdigit() else None
        if pk is not None:
            letters[pk] += 1
    groups: dict[str, set[int]] = defaultdict(set)
    facets = MentorFacet.objects.filter(key__startswith="id:")
    if institution is not None:
        facets = facets.filter(mentor__institution=institution)
    for mentor_id, key in facets.values_list("mentor_id", "key"):
        if mentor_id in mentors:
            groups[key].add(mentor_id)
    known = catalog()

    def cells(ids: set[int]) -> list[Cell]:
        n = len(ids)
        items = [load[i] for i in ids]
        req = set().union(*(x["req"] for x in items)) if items else set()
        mentees = set().union(*(x["mentees"] for x in items)) if items else set()
        met = set().union(*(x["met"] for x in items)) if items else set()
        hours = round(sum(x["minutes"] for x in items) / 60, 1)
        cme = float(sum((credits[i] for i in ids), Decimal(0)))
        sent = sum(letters[i] for i in ids)
        return [
            count(n, n),
            Cell(sum(x["requests"] for x in items), n, parts=(len(req),)),
            Cell(len(mentees), n, parts=(len(mentees),)),
            Cell(sum(x["meetings"] for x in items), n, parts=(len(met),)),
            Cell(hours, n, fmt="{:,.1f}", parts=(len(met),)),
            Cell(cme, n, fmt="{:,.2f}"),
            Cell(sent, n),
            number(round(hours / n, 1) if n else None, n),
            number(round(cme / n, 2) if n else None, n, fmt="{:.2f}"),
        ]

    everyone = set(mentors)
    total = Row(gettext("All mentors"), cells(everyone), len(everyone))
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:14]
    rows = [Row(_label(key, known), cells(ids), len(ids)) for key, ids in ranked]
    shared_any = set().union(*groups.values()) if groups else set()
    rows.append(
        Row(gettext("No identity shared on the profile"), cells(everyone - shared_any), len(everyone - shared_any))
    )
    protect(rows, total=None, additive=False, reference=total, k=k)
    protect([total], additive=False, k=k)
    result.tables.append(
        Table(
            "ledger_groups",
            gettext("Mentoring load and credit by mentor group"),
            [
                gettext("Mentors"),
                gettext("Requests received"),
                gettext("Mentees"),
                gettext("Meetings held"),
                gettext("Meeting hours"),
                "CME credits",
                gettext("Participation letters"),
                gettext("Hours per mentor"),
                "CME credits per mentor",
            ],
            rows,
            gettext("Mentors who share"),
            total=total,
            chart="hbar",
            chart_columns=[7, 8],
            description=gettext(
                "Groups are the identity characteristics mentors chose to share on their profile. "
                "A group carrying more hours per mentor while receiving fewer credits per mentor pays a minority tax."
            ),
            note=gettext("A mentor sharing several characteristics counts in each group, so the rows do not add up."),
        )
    )
    concentration = []
    today = platform_today()
    for q_start, months in spans:
        hours = [by_quarter[q_start].get(pk, 0.0) for pk in mentors]
        share, top = top_share(hours)
        value = gini(hours)
        n = len(hours)
        concentration.append(
            Row(
                _period_label(months),
                [
                    number(round(value, 2) if value is not None else None, n, fmt="{:.2f}"),
                    Cell(share, n, fmt="{:.1f}%", parts=(top,), kind=RATIO),
                    count(n, n),
                ],
                n,
                extra={"months": months, "partial": f.is_partial(today) and today.replace(day=1) in months},
            )
        )
    for row in concentration:
        for cell in row.cells:
            protect_cell(cell, k)
    result.tables.append(
        Table(
            "ledger_concentration",
            gettext("How concentrated the meeting load is, by quarter"),
            [gettext("Gini of meeting hours"), gettext("Hours held by the busiest 20% of mentors"), gettext("Mentors")],
            concentration,
            gettext("Quarter"),
            chart="line",
            chart_columns=[0],
            description=gettext("Rising values mean fewer mentors carry more of the meetings."),
        )
    )
    if institution is not None:
        result.benchmarks.append(_gini_benchmark(institution, f, k, [by_quarter[q] for q, _ in spans], mentors))


def _gini_benchmark(institution, f: Filters, k: int, quarters_load: list[dict], mentors: dict) -> dict:
    """The institution's Gini of the year's meeting hours against the network's institutions (anonymised)."""
    from mentormemed.profiles.models import MentorProfile
    from mentormemed.scheduling.models import Meeting, MeetingStatus

    start, end = f.bounds
    own = gini([sum(q.get(pk, 0.0) for q in quarters_load) for pk in mentors])
    per_inst: dict[int, dict[int, float]] = defaultdict(dict)
    for pk, inst in MentorProfile.objects.filter(membership_active=True).values_list("pk", "institution_id"):
        per_inst[inst][pk] = 0.0
    for mentor_id, inst, starts, ends in Meeting.objects.filter(
        _consenting_rel("relationship__"), status=MeetingStatus.HELD, starts_at__gte=start, starts_at__lt=end
    ).values_list("mentor_id", "mentor__institution_id", "starts_at", "ends_at"):
        if mentor_id in per_inst[inst]:
            per_inst[inst][mentor_id] += (ends - starts).total_seconds() / 3600
    values = [g for loads in per_inst.values() if len(loads) >= k and (g := gini(list(loads.values()))) is not None]
    return _benchmark(gettext("Gini of meeting hours (0 equal, 1 concentrated)"), own, len(mentors) >= k, values)


MIN_INSTITUTIONS = 3  # a network median of fewer institutions would point at one of them


def _benchmark(label: str, own: float | None, own_safe: bool, values: list[float]) -> dict:
    median = statistics.median(values) if len(values) >= MIN_INSTITUTIONS else None
    return {
        "label": label,
        "own": round(own, 2) if own is not None and own_safe else None,
        "median": round(median, 2) if median is not None else None,
        "institutions": len(values),
        "minimum_institutions": MIN_INSTITUTIONS,
    }


# ------------------------------------------------------------------ unmet need


def _supply(keys: set[str]) -> dict[int, dict]:
    """Per mentor with any of ``keys``: their keys, institution, scope and whether they have room."""
    from mentormemed.matching.models import MentorFacet

    out: dict[int, dict] = {}
    for mentor_id, key, inst, scope, accepting, active, capacity, offers in MentorFacet.objects.filter(
        key__in=keys, mentor__membership_active=True
    ).values_list(
        "mentor_id",
        "key",
        "mentor__institution_id",
        "mentor__scope",
        "mentor__accepting_new",
        "mentor__active_mentee_count",
        "mentor__capacity",
        "mentor__offers_mentoring",
    ):
        item = out.setdefault(
            mentor_id,
            {
                "keys": set(),
                "inst": inst,
                "national": scope == "national",
                "room": accepting and offers and active < capacity,
            },
        )
        item["keys"].add(key)
    return out


UNMET_ROWS = 15


def _unmet(result: Insight, institution, f: Filters) -> None:
    from mentormemed.matching.index import catalog
    from mentormemed.outcomes.models import UnmetSearchRollup

    k = result.minimum
    qs = UnmetSearchRollup.objects.filter(month__gte=f.start, month__lte=f.end)
    if institution is not None:
        qs = qs.filter(institution_id=institution.pk)
    figures = list(
        qs.values("need", "affinity").annotate(
            n=Sum("searches"),
            e=Sum("empty"),
            p=Count("viewer_id", distinct=True),
            pe=Count("viewer_id", filter=Q(empty__gt=0), distinct=True),
        )
    )
    everything = next((r for r in figures if r["need"] == "*"), {"n": 0, "e": 0, "p": 0, "pe": 0})
    reference = Row(
        gettext("All searches with 3 or fewer results"),
        [count(everything["n"], everything["p"]), count(everything["e"], everything["pe"])],
        everything["p"],
    )
    protect([reference], additive=False, k=k)
    ranked = sorted(
        # Only needs whose figures can be shown: a row of "fewer than k" recruits nobody.
        (r for r in figures if r["need"] != "*" and r["p"] >= k and (r["pe"] == 0 or r["pe"] >= k)),
        key=lambda r: (-r["e"], -r["n"], r["need"], r["affinity"]),
    )[:UNMET_ROWS]
    supply = _supply({key for r in ranked for key in (r["need"], r["affinity"]) if key})
    known = catalog()
    rows, sentences = [], []
    for r in ranked:
        wanted = {key for key in (r["need"], r["affinity"]) if key}
        offering = [m for m in supply.values() if wanted <= m["keys"]]
        local = [m for m in offering if institution is not None and m["inst"] == institution.pk]
        elsewhere = [m for m in offering if m["national"] and (institution is None or m["inst"] != institution.pk)]
        label = _pair_label(r["need"], r["affinity"], known)
        # Mentor counts come from the directory every member can browse: they describe no mentee.
        rows.append(
            Row(
                label,
                [
                    count(r["n"], r["p"]),
                    count(r["e"], r["pe"]),
                    count(r["p"], r["p"]),
                    Cell(len(local), 0) if institution is not None else Cell(None, 0),
                    Cell(sum(m["room"] for m in local), 0) if institution is not None else Cell(None, 0),
                    Cell(len(elsewhere), 0),
                    Cell(sum(m["room"] for m in elsewhere), 0),
                ],
                r["p"],
                extra={"need": r["need"], "affinity": r["affinity"]},
            )
        )
    protect(rows, additive=False, reference=reference, k=k)
    for row in rows:
        if row.hidden:
            continue
        n, local, local_room, national, national_room = (row.cells[i].value for i in (0, 3, 4, 5, 6))
        facts = {
            "need": row.label,
            "n": number_format(n, force_grouping=True),
            "local": local,
            "local_room": _room(local, local_room),
            "national": national,
            "national_room": _room(national, national_room),
        }
        if institution is None:
            sentence = ngettext(
                "%(need)s: mentees searched %(n)s time and found 3 mentors or fewer; "
                "%(national)s in the network (%(national_room)s).",
                "%(need)s: mentees searched %(n)s times and found 3 mentors or fewer; "
                "%(national)s in the network (%(national_room)s).",
                int(n or 0),
            )
        else:
            sentence = ngettext(
                "%(need)s: mentees searched %(n)s time and found 3 mentors or fewer; %(local)s here "
                "(%(local_room)s), %(national)s elsewhere in the network (%(national_room)s).",
                "%(need)s: mentees searched %(n)s times and found 3 mentors or fewer; %(local)s here "
                "(%(local_room)s), %(national)s elsewhere in the network (%(national_room)s).",
                int(n or 0),
            )
        sentences.append(sentence % facts)
    result.recruitment = sentences
    result.tables.append(
        Table(
            "unmet_need",
            gettext("Needs that found 3 mentors or fewer, ranked"),
            [
                gettext("Searches"),
                gettext("With no result"),
                gettext("Mentees"),
                gettext("Mentors here"),
                gettext("Here with room"),
                gettext("Mentors elsewhere (national)"),
                gettext("Elsewhere with room"),
            ],
            rows,
            gettext("Need"),
            total=reference if rows else None,
            chart="hbar",
            chart_columns=[0, 1],
            description=gettext(
                "A need is a content area or specialty asked for, alone or with a characteristic the "
                "mentee wanted to share. Mentors with room accept new mentees and are below their limit."
            ),
            note=gettext(
                "A search counts under each need it asked for, so the rows do not add up. Mentor counts are "
                "those of the mentor directory every member can browse."
            ),
        )
    )
    for source in need_sources():  # other capabilities' unmet needs, after the searches'
        result.tables.append(_need_table(source, institution, f, k))


def _need_table(source: NeedSource, institution, f: Filters, k: int) -> Table:
    """Another capability's unmet needs in the period (``outcomes.needs``), each row suppressed below ``k``."""
    found = rows_for(source, institution=institution, start=f.start, end=f.end)
    rows = [Row(r.label, [count(r.times, r.people), count(r.people, r.people)], r.people) for r in found]
    protect(rows, additive=False, k=k)
    return Table(
        source.key,
        source.title(),
        [gettext("Times"), gettext("Mentees")],
        rows,
        gettext("Need"),
        chart="hbar" if rows else "",
        chart_columns=[0],
        description=source.description(),
        note=gettext("A mentee asking about several needs counts under each, so the rows do not add up."),
    )


def _room(n: int, room: int) -> str:
    if not n:
        return gettext("none")
    if room == 0:
        return gettext("all full") if n > 2 else gettext("both full") if n == 2 else gettext("full")
    return gettext("%(room)s with room") % {"room": room}


def _pair_label(need: str, affinity: str, known: dict) -> str:
    """ "Residency applications with a mentor who speaks Spanish"."""
    wanted = f"a mentor {_affinity(affinity, known)}" if affinity else ""
    if need and affinity:
        return f"{_plain(need, known)} with {wanted}"
    return _plain(need, known) if need else wanted[0].upper() + wanted[1:]


def _affinity(key: str, known: dict) -> str:
    label = _plain(key, known)
    if key.startswith("lang:"):
        return f"who speaks {label}"
    if key.startswith("native:"):
        return f"whose native language is {label}"
    if key.startswith(("state:", "country:")):
        return f"from {label}"
    info = known.get(key)
    group = f" ({info.group_label.lower()})" if info and info.group_label else ""
    return f"who shares: {label}{group}"


def _plain(key: str, known: dict) -> str:
    info = known.get(key)
    return info.label if info else key


# ------------------------------------------------------------------ time to match and load


MATCH_BUCKETS = [
    (gettext_lazy("Within a week"), 0, 7),
    (gettext_lazy("1–4 weeks"), 7, 28),
    (gettext_lazy("1–3 months"), 28, 91),
    (gettext_lazy("Over 3 months"), 91, 10**6),
]


def _journeys(institution, f: Filters):
    from mentormemed.outcomes.models import MenteeJourney

    qs = MenteeJourney.objects.all()
    return qs.filter(institution_id=institution.pk) if institution is not None else qs


def _days_to_match(j) -> float | None:
    starts = [t for t in (j.first_search_at, j.first_request_at) if t is not None and t <= j.matched_at]
    return (j.matched_at - min(starts)).total_seconds() / 86400 if starts else None


def _time_to_match(result: Insight, institution, f: Filters) -> None:
    k = result.minimum
    start, end = f.bounds
    matched = [
        (j, _days_to_match(j))
        for j in _journeys(institution, f)
        .filter(matched_at__gte=start, matched_at__lt=end)
        .only(
            "mentee_id", "training_level", *[b for b, _ in BASES], "first_search_at", "first_request_at", "matched_at"
        )
    ]
    timed = [(j, d) for j, d in matched if d is not None]
    rows = []
    for label, low, high in MATCH_BUCKETS:
        n = sum(1 for _, d in timed if low <= d < high)
        rows.append(Row(label, [count(n, n)], n))
    unsearched = len(matched) - len(timed)
    rows.append(Row(gettext("Introduced (no search or request first)"), [count(unsearched, unsearched)], unsearched))
    total = Row(gettext("First matches this year"), [count(len(matched), len(matched))], len(matched))
    protect(rows, total=total, additive=True, k=k)
    result.tables.append(
        Table(
            "time_to_match",
            gettext("Time from first search to first mentorship"),
            [gettext("Mentees")],
            rows,
            gettext("Time to match"),
            total=total,
            chart="bar",
            description=gettext("Mentees whose first mentorship started this year, by how long they had been looking."),
        )
    )
    searching = list(
        _journeys(institution, f)
        .filter(first_search_at__lt=end)
        .filter(Q(matched_at__isnull=True) | Q(matched_at__gte=end))
        .values_list("training_level", *[b for b, _ in BASES])
    )
    # (label, levels, basis): a cohort is a level group or an eligibility basis.
    cohorts = [
        (gettext("Medical students (UME)"), UME, None),
        (gettext("Residents and fellows (GME)"), GME, None),
        *[(label, None, n) for n, (_, label) in enumerate(BASES)],
    ]

    def member(levels, basis, level: str, bases) -> bool:
        return level in levels if levels is not None else bool(bases[basis])

    cohort_rows = []
    for label, levels, basis in cohorts:
        days = [d for j, d in timed if member(levels, basis, j.training_level, [getattr(j, b) for b, _ in BASES])]
        waiting = sum(1 for level, *bases in searching if member(levels, basis, level, bases))
        cohort_rows.append(_cohort_row(label, days, waiting))
    all_days = [d for _, d in timed]
    reference = _cohort_row(gettext("All mentees"), all_days, len(searching))
    protect(cohort_rows, additive=False, reference=reference, k=k)
    protect([reference], additive=False, k=k)
    result.tables.append(
        Table(
            "time_to_match_by_cohort",
            gettext("Time to a first mentorship by cohort"),
            [
                gettext("Matched"),
                gettext("Median days"),
                gettext("Fastest quarter within (days)"),
                gettext("Still looking"),
            ],
            cohort_rows,
            gettext("Cohort"),
            total=reference,
            chart="hbar",
            chart_columns=[1],
            description=gettext(
                "Median days from the first search (or request) to the first mentorship's start; "
                "'still looking' are mentees who had searched by the year's end without a mentor."
            ),
            note=gettext("A mentee may hold several eligibility bases, so the rows do not add up."),
        )
    )
    _load(result, institution, f)
    if institution is not None:
        national = [
            d
            for j in _journeys(None, f).filter(matched_at__gte=start, matched_at__lt=end)
            if (d := _days_to_match(j)) is not None
        ]
        result.benchmarks.append(
            {
                "label": gettext("Median days to a first mentorship"),
                "own": round(statistics.median(all_days), 1) if len(all_days) >= k else None,
                "median": round(statistics.median(national), 1) if len(national) >= k else None,
                "institutions": None,
                "minimum_institutions": None,
            }
        )


def _cohort_row(label: str, days: list[float], waiting: int) -> Row:
    n = len(days)
    median = round(statistics.median(days), 1) if days else None
    quartile = round(statistics.quantiles(days, n=4)[0], 1) if n >= 2 else median
    return Row(
        label,
        [
            count(n, n),
            number(median, n, fmt="{:.1f}"),
            number(quartile, n, fmt="{:.1f}"),
            count(waiting, waiting),
        ],
        n,
    )


LOAD_BUCKETS = [
    (gettext_lazy("No new mentee"), 0, 0),
    (gettext_lazy("1 new mentee"), 1, 1),
    (gettext_lazy("2 new mentees"), 2, 2),
    (gettext_lazy("3 or more"), 3, 10**6),
]


def _load(result: Insight, institution, f: Filters) -> None:
    """Active mentors by the new mentorships they took on this year, and how concentrated that is."""
    from mentormemed.mentorships.models import Relationship

    k = result.minimum
    start, end = f.bounds
    mentors = _mentors(institution)
    rels = Relationship.objects.filter(_consenting_rel(), started_at__gte=start, started_at__lt=end)
    if institution is not None:
        rels = rels.filter(mentor__institution=institution)
    taken: dict[int, set[int]] = defaultdict(set)
    for mentor_id, mentee_id in rels.values_list("mentor_id", "mentee_id"):
        if mentor_id in mentors:
            taken[mentor_id].add(mentee_id)
    loads = {pk: len(taken.get(pk, ())) for pk in mentors}
    total_rel = sum(loads.values())
    all_mentees = set().union(*taken.values()) if taken else set()
    rows = []
    for label, low, high in LOAD_BUCKETS:
        ids = [pk for pk, n in loads.items() if low <= n <= high]
        mentees = set().union(*(taken.get(pk, set()) for pk in ids)) if ids else set()
        carried = sum(loads[pk] for pk in ids)
        rows.append(
            Row(
                label,
                [
                    count(len(ids), len(ids)),
                    Cell(carried, len(ids), parts=(len(mentees),)),
                    rate(carried, total_rel, len(ids), len(all_mentees - mentees)),
                ],
                len(ids),
            )
        )
    total = Row(
        gettext("All active mentors"),
        [
            count(len(mentors), len(mentors)),
            Cell(total_rel, len(mentors), parts=(len(all_mentees),)),
            Cell(100.0 if total_rel else None, len(mentors), fmt="{:.0f}%", kind=RATIO),
        ],
        len(mentors),
    )
    protect(rows, total=total, additive=True, k=k)
    share, top = top_share(list(loads.values()))
    value = gini(list(loads.values()))
    result.tables.append(
        Table(
            "load_distribution",
            gettext("How many mentors carry the new mentorships"),
            [gettext("Mentors"), gettext("New mentorships"), gettext("Share")],
            rows,
            gettext("Mentors with"),
            total=total,
            chart="bar",
            chart_columns=[0],
            description=gettext("Active mentors by the mentorships they started this year."),
        )
    )
    n = len(mentors)
    result.tables.append(
        Table(
            "load_concentration",
            gettext("Concentration of new mentorships"),
            [gettext("Value")],
            [
                Row(
                    gettext("Gini index"),
                    [protect_cell(number(round(value, 2) if value is not None else None, n, fmt="{:.2f}"), k)],
                    n,
                ),
                Row(
                    gettext("Share carried by the busiest 20% of mentors"),
                    [protect_cell(Cell(share, n, fmt="{:.1f}%", parts=(top,), kind=RATIO), k)],
                    n,
                ),
            ],
            gettext("Measure"),
            chart="",
        )
    )


# ------------------------------------------------------------------ national reciprocity


def _reciprocity(result: Insight, institution, f: Filters) -> None:
    """Computed for every institution at once (``reciprocity.figures``); each scope is cut from it."""
    result.tables.extend(reciprocity.tables(reciprocity.figures(f, result.minimum), institution, f))


def flows_key(f: Filters) -> str:
    """The whole table of listed flows (the national page shows the largest; its CSV all of them)."""
    return insight_key("reciprocity-flows", None, f)


def all_flows(f: Filters, *, use_cache: bool = True) -> Table:
    done = last_refresh()
    if use_cache and done is not None:
        stored = stored_release(flows_key(f), done)
        if stored is not None:
            return stored
    return reciprocity.all_flows_table(reciprocity.figures(f, k_min()), f)


BUILDERS = {"ledger": _ledger, "unmet": _unmet, "time-to-match": _time_to_match, "reciprocity": _reciprocity}

# Which view releases each table (the CSV export finds a table by its key).
TABLE_VIEWS = {
    "ledger_groups": "ledger",
    "ledger_concentration": "ledger",
    "unmet_need": "unmet",
    "time_to_match": "time-to-match",
    "time_to_match_by_cohort": "time-to-match",
    "load_distribution": "time-to-match",
    "load_concentration": "time-to-match",
    "reciprocity": "reciprocity",
    "reciprocity_partners": "reciprocity",
    "reciprocity_top_flows": "reciprocity",
    "reciprocity_flows": "reciprocity",
}


def view_of(key: str) -> str | None:
    """The view that releases the table ``key`` (registered need sources are on the unmet-need view)."""
    if key in TABLE_VIEWS:
        return TABLE_VIEWS[key]
    return "unmet" if any(source.key == key for source in need_sources()) else None


def find_table(key: str, institution, f: Filters) -> Table | None:
    """A table of one of the views, by key (None when no view releases it in this scope)."""
    if key == "reciprocity_flows":
        return all_flows(f) if institution is None else None  # staff's national view only
    slug = view_of(key)
    return insight(slug, institution, f).table(key) if slug else None


def period(slug: str, data) -> Filters:
    """The period a view's page asks for (reciprocity offers pooled years and its own default)."""
    return reciprocity.period(data) if slug == "reciprocity" else Filters.from_query(data)


def offered(slug: str) -> list:
    return reciprocity.offered() if slug == "reciprocity" else Filters.offered()
