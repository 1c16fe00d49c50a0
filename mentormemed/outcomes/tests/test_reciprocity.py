"""R23, R38: the reciprocity view is bounded whatever the number of institutions, lists flows only
when they and what is left of each total describe at least k mentees, pools years safely and opens
on a period that holds data.

The world: a ring of institutions. Each academic year 2023–24 … 2025–26 every institution has 20
local relationships and its mentors serve the next institution's mentees 15 times, the one after
that 4 times (too few to list) and the third one 12 times. The year in progress (2026–27) has only 2
flows per institution so far. Institution 0 also gave institution 4 twenty relationships in 2023–24
and five in 2024–25 (listed one year, not the other: never listed pooled).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mentormemed.outcomes import insights, precompute, reciprocity, rollups, selectors
from mentormemed.outcomes.models import RelationshipFact
from mentormemed.outcomes.tests.test_differencing import (
    K,
    _assert_every_shown_figure_describes_enough_people,
    _assert_no_cell_recovered,
)
from mentormemed.testing.factories import InstitutionFactory, MembershipFactory, UserFactory, with_totp

NOW = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)  # December: the year in progress holds little yet
URL = "outcomes:national_insight"


def _started(year: int, n: int) -> dt.datetime:
    """A day in academic year ``year`` (July–June): March of its second half, or October of the year in progress."""
    day = dt.datetime(year, 10, 1, 12) if year == 2026 else dt.datetime(year + 1, 3, 1, 12)
    return timezone.make_aware(day + dt.timedelta(hours=n))


def _world(n: int, *, busy_current: bool = False) -> list:
    insts = [InstitutionFactory(name=f"Ringwood {i:02d} Medical School") for i in range(n)]
    rollups.refresh(now=NOW)  # the rollups are built (the facts below are what they would hold)
    ids = itertools.count(1)
    facts = []

    def add(giver, taker, many: int, year: int) -> None:
        for _ in range(many):
            rid = next(ids)
            started = _started(year, rid % 500)
            facts.append(
                RelationshipFact(
                    relationship_id=rid,
                    mentee_id=10**6 + rid,
                    month=started.date().replace(day=1),
                    started_at=started,
                    mentee_institution_id=taker.pk,
                    mentor_institution_id=giver.pk,
                )
            )

    for i, inst in enumerate(insts):
        for year in (2023, 2024, 2025):
            add(inst, inst, 20, year)
            add(inst, insts[(i + 1) % n], 15, year)
            add(inst, insts[(i + 2) % n], 4, year)
            add(inst, insts[(i + 3) % n], 12, year)
        add(inst, insts[(i + 1) % n], 20 if busy_current else 2, 2026)
    add(insts[0], insts[4], 20, 2023)
    add(insts[0], insts[4], 5, 2024)
    RelationshipFact.objects.bulk_create(facts, batch_size=2000)
    return insts


def _precompute():
    with time_machine.travel(NOW, tick=False):
        return precompute.precompute()


def _get(client, url, query=None):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, query or {})


def _flows(table) -> dict[str, int]:
    return {r.label: r.cells[0].value for r in table.rows if not r.extra.get("rest")}


def _admin_of(inst):
    return MembershipFactory(institution=inst, role="admin", user=with_totp(UserFactory()))


@pytest.fixture
def ring(cast):
    """``ring(n)``: the world of ``n`` institutions, precomputed as the sweep leaves it, with a staff
    client and the national reciprocity page's address (``.insts``, ``.staff``, ``.url``)."""

    def build(n: int, *, busy_current: bool = False) -> SimpleNamespace:
        insts = _world(n, busy_current=busy_current)
        _precompute()
        return SimpleNamespace(insts=insts, staff=cast.client_for(cast.staff), url=reverse(URL, args=["reciprocity"]))

    return build


@pytest.mark.django_db
@pytest.mark.parametrize("n", [5, 60])
def test_r23_the_national_page_is_bounded_whatever_the_number_of_institutions(
    cast, ring, n, django_assert_max_num_queries
):
    world = ring(n)
    client, url = world.staff, world.url
    _get(client, url)
    with django_assert_max_num_queries(12):
        page = _get(client, url)
    assert page.status_code == 200
    shown = page.context["tables"]
    assert len(shown[0].rows) == min(n, reciprocity.PAGE_SIZE), "one page of institutions"
    assert len(page.context["insight"].table("reciprocity_top_flows").rows) <= reciprocity.TOP_FLOWS + 1
    assert page.context["listing"].matched == n
    with django_assert_max_num_queries(12):
        assert _get(client, url, {"institution": cast.inst_a.pk}).status_code == 200
    with django_assert_max_num_queries(12):
        assert _get(client, url, {"year": "pooled", "q": "ringwood 0", "page": 2}).status_code == 200


@pytest.mark.django_db
def test_r23_institutions_are_listed_fifty_a_page_found_by_name_and_sorted(ring):
    world = ring(60)
    insts, client, url = world.insts, world.staff, world.url
    second = _get(client, url, {"page": 2})
    labels = [r.label for r in second.context["tables"][0].rows]
    assert labels == [i.name for i in insts[50:]] and "Rows 51–60 of 60." in second.content.decode()
    found = _get(client, url, {"q": "RINGWOOD 1"})  # case ignored: 10–19
    assert [r.label for r in found.context["tables"][0].rows] == [i.name for i in insts[10:20]]
    assert found.context["listing"].pages == 1
    by_given = _get(client, url, {"sort": "given"}).context["tables"][0].rows
    given = [r.cells[0].value for r in by_given if not r.cells[0].suppressed]
    assert given == sorted(given, reverse=True)
    # Each row links to that institution's partners.
    assert all(f"institution={r.extra['pk']}" in r.extra["href"] for r in by_given)


@pytest.mark.django_db
def test_r23_one_institution_shows_its_partners_only(ring):
    world = ring(6)
    insts = world.insts
    page = _get(world.staff, world.url, {"institution": insts[2].pk, "year": 2025})
    partners = page.context["insight"].table("reciprocity_partners")
    rows = {r.label: [c.value for c in r.cells] for r in partners.rows}
    # 2025–26: insts[2] gives 15 to insts[3] and receives 15 from insts[1]; the 12s and 4s are counted
    # together (a remainder of 4 alone would describe too few mentees, so the 12 joins it).
    assert rows == {insts[1].name: [None, 15], insts[3].name: [15, None], "Other institutions together": [16, 16]}
    assert [c.value for c in partners.total.cells] == [31, 31]
    assert [r.label for r in page.context["insight"].table("reciprocity").rows] == [insts[2].name]
    _assert_no_cell_recovered([partners])
    _assert_every_shown_figure_describes_enough_people(page.context["insight"].tables)


@pytest.mark.django_db
def test_r23_an_admin_sees_only_their_own_institutions_flows(cast, ring):
    insts = ring(6).insts
    client = cast.client_for(_admin_of(insts[2]))
    page = _get(client, reverse("outcomes:insight", args=["reciprocity"]), {"year": 2025})
    body = page.content.decode()
    found = page.context["insight"]
    assert [r.label for r in found.table("reciprocity").rows] == [insts[2].name]
    assert {r.label for r in found.table("reciprocity_partners").rows} == {
        insts[1].name,
        insts[3].name,
        "Other institutions together",
    }
    assert found.table("reciprocity_top_flows") is None
    assert insts[4].name not in body and insts[5].name not in body and "→" not in body
    export = reverse("outcomes:export", args=["reciprocity_flows"])
    assert _get(client, export, {"year": 2025}).status_code == 404
    partners_csv = _get(client, reverse("outcomes:export", args=["reciprocity_partners"]), {"year": 2025})
    assert insts[4].name not in partners_csv.content.decode()


@pytest.mark.django_db
def test_r23_the_csv_holds_every_row_protected_as_on_the_page(ring):
    world = ring(60)
    insts, client = world.insts, world.staff
    export = reverse("outcomes:national_export", args=["reciprocity"])
    rows = list(csv.reader(io.StringIO(_get(client, export, {"year": 2025}).content.decode())))
    assert {r[0] for r in rows[1:-1]} == {i.name for i in insts} and rows[-1][0] == "All institutions"
    export = reverse("outcomes:national_export", args=["reciprocity_flows"])
    flows = list(csv.reader(io.StringIO(_get(client, export, {"year": 2025}).content.decode())))
    listed = {r[0]: int(r[1]) for r in flows[1:] if "→" in r[0]}
    assert len(listed) == 60 and set(listed.values()) == {15}, "the 12s and 4s are counted together, never named"
    assert [r[0] for r in flows[-2:]] == ["All other flows together", "All flows between institutions"]
    assert int(flows[-2][1]) == 60 * 16 and int(flows[-1][1]) == 60 * 31
    page = _get(client, world.url, {"year": 2025})
    top = page.context["insight"].table("reciprocity_top_flows")
    assert all(listed[label] == value for label, value in _flows(top).items())
    assert 'href="/outcomes/national/export/reciprocity_flows.csv?year=2025"' in page.content.decode()


@pytest.mark.django_db
def test_r23_pooled_years_show_what_single_years_cannot_and_say_so(ring):
    world = ring(6)
    insts, client, url = world.insts, world.staff, world.url
    single = _get(client, url, {"year": 2025})
    assert "Pool the last three complete years" in single.content.decode()
    page = _get(client, url, {"year": "pooled"})
    found = page.context["insight"]
    assert found.filters.pooled_years == [2023, 2024, 2025]
    body = page.content.decode()
    assert "Academic years 2023–24 to 2025–26, pooled" in body
    assert "The academic years 2023–24 to 2025–26 are pooled" in body
    flows = _flows(insights.all_flows(found.filters))
    name = {i: inst.name for i, inst in enumerate(insts)}
    # Never listed in one year (4 or 12 a year, always counted together), listed pooled.
    assert flows[f"{name[1]} → {name[3]}"] == 12 and flows[f"{name[1]} → {name[4]}"] == 36
    assert flows[f"{name[1]} → {name[2]}"] == 45
    # Listed in 2023–24 (20), not in 2024–25 (5): pooled it would give the 5 back, so it is not listed.
    assert f"{name[0]} → {name[4]}" not in flows
    assert [r.label for r in found.table("reciprocity").rows] == [i.name for i in insts]
    for table in found.tables:
        _assert_no_cell_recovered([table])
    _assert_every_shown_figure_describes_enough_people(found.tables)
    assert found.table("reciprocity").total.cells[0].value == 3 * 6 * 31 + 25


@pytest.mark.django_db
@pytest.mark.parametrize("busy", [False, True])
def test_r23_the_default_period_is_the_last_complete_year_until_the_current_one_holds_enough(ring, busy):
    world = ring(6, busy_current=busy)
    page = _get(world.staff, world.url)
    # 2 flows per institution so far against 31 last year: last year; 20 against 31: this year.
    assert page.context["insight"].filters.academic_year == (2026 if busy else 2025)
    assert 'data-testid="default-period"' in page.content.decode()
    with time_machine.travel(NOW, tick=False):
        assert reciprocity.choose_default_year() == (2026 if busy else 2025)
        assert reciprocity.period({"year": "2024"}).academic_year == 2024
        assert reciprocity.period({"year": "1999"}).academic_year == reciprocity.default_year()


@pytest.mark.django_db
def test_r38_no_small_cell_in_any_period_or_scope(ring):
    world = ring(7)
    insts, staff, url = world.insts, world.staff, world.url
    with time_machine.travel(NOW, tick=False):
        choices = [v for v, _ in reciprocity.offered()]
    for year in choices:
        for scope in (None, *insts):
            query = {"year": year, **({"institution": scope.pk} if scope else {})}
            found = _get(staff, url, query).context["insight"]
            _assert_every_shown_figure_describes_enough_people(found.tables)
            for table in found.tables:
                _assert_no_cell_recovered([table])
                for row in table.rows:
                    if "→" in row.label or row.extra.get("pk") and table.key == "reciprocity_partners":
                        assert all(c.value is None or c.people >= K for c in row.cells), row.label
        with time_machine.travel(NOW, tick=False):
            f = reciprocity.period({"year": year})
            flows = insights.all_flows(f)
        _assert_every_shown_figure_describes_enough_people([flows])
        _assert_no_cell_recovered([flows])


@pytest.mark.django_db
def test_r23_the_sweep_stores_every_period_the_page_offers(cast, ring, monkeypatch):
    world = ring(5)
    staff, url = world.staff, world.url
    calls = []
    real = reciprocity.figures
    monkeypatch.setattr(reciprocity, "figures", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    with time_machine.travel(NOW, tick=False):
        choices = [v for v, _ in reciprocity.offered()]
    for year in choices:
        assert _get(staff, url, {"year": year}).status_code == 200
        assert _get(staff, url, {"year": year, "institution": cast.inst_b.pk}).status_code == 200
        export = reverse("outcomes:national_export", args=["reciprocity_flows"])
        assert _get(staff, export, {"year": year}).status_code == 200
    assert calls == [], "every period and scope read what the sweep stored"
    assert selectors.POOLED in choices
