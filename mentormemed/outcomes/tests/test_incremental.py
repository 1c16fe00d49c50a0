"""R23 rollups kept up to date incrementally: the sweep rebuilds only what changed, pages only read."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentormemed.evaluations.models import Evaluation, InstrumentVersion
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import MentorshipRequest, Relationship
from mentormemed.outcomes import rollups
from mentormemed.outcomes.models import RelationshipFact, RequestFact, RollupRefresh, SearchRollup
from mentormemed.outcomes.tests import test_rollups
from mentormemed.outcomes.tests.conftest import at
from mentormemed.outcomes.tests.test_figures import _search
from mentormemed.profiles.models import MenteeProfile

NOW = dt.datetime(2025, 6, 20, 9, tzinfo=dt.UTC)
history = test_rollups.history  # the same fixture


def _snapshot() -> dict[str, list[tuple]]:
    """Every rollup row without its id, in a stable order: what the dashboards read."""
    out = {}
    for model in rollups.ROLLUPS:
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        out[model.__name__] = sorted(model.objects.values_list(*names), key=repr)
    return out


def _evaluate(rel: Relationship, score: float) -> None:
    version = InstrumentVersion.objects.filter(instrument__kind="mentor_evaluation").first()
    Evaluation.objects.create(
        relationship=rel,
        mentor=rel.mentor,
        mentee=rel.mentee,
        competency_mean=score,
        overall=6,
        answers={},
        version=version,
        occasion="periodic",
        sequence=Evaluation.objects.filter(relationship=rel).count() + 1,
        due_on=dt.date(2025, 6, 1),
    )


def _change(cast, history, rng: random.Random) -> None:
    """A random mix of what happens between two sweeps: searches, requests, decisions, ends,
    evaluations, check-in answers, a withdrawn consent, a level change."""
    people = [*history["mentees"], *history["outsiders"]]
    mentor = mt.mentor_profile(cast.mentor)
    for _ in range(rng.randint(1, 6)):
        m = rng.choice(people)
        keys = rng.choice([[], ["area:research"], ["lang:es"], ["area:research", "lang:es"]])
        month = rng.choice([3, 4, 5, 6])
        _search(m, at(2025, month, rng.randint(1, 19)), keys=keys, results=rng.randint(0, 6), level="MS3")
    for _ in range(rng.randint(0, 3)):
        m = rng.choice(people)
        if MentorshipRequest.objects.filter(mentee=m, mentor=mentor).exists():
            continue
        r = mt.pending_request(m, mentor, created_at=at(2025, rng.choice([4, 5, 6]), 3))
        if rng.random() < 0.5:
            MentorshipRequest.objects.filter(pk=r.pk).update(state="declined", responded_at=r.created_at)
    pending = list(MentorshipRequest.objects.filter(state="pending").values_list("pk", flat=True))
    for pk in rng.sample(pending, min(len(pending), rng.randint(0, 2))):
        MentorshipRequest.objects.filter(pk=pk).update(state="expired")  # a bulk update: no signal sent
    rels = list(Relationship.objects.select_related("mentor", "mentee").order_by("pk"))
    for rel in rng.sample(rels, min(len(rels), rng.randint(0, 2))):
        _evaluate(rel, rng.choice([4.0, 5.5, 6.25]))
    open_rels = [r for r in rels if r.ended_at is None]
    for rel in rng.sample(open_rels, min(len(open_rels), rng.randint(0, 1))):
        Relationship.objects.filter(pk=rel.pk).update(
            ended_at=rel.started_at + dt.timedelta(days=50), end_reason=rng.choice(["not_a_fit", "time"])
        )
    for rel in rng.sample(open_rels, min(len(open_rels), rng.randint(0, 2))):  # a check-in answered
        Relationship.objects.filter(pk=rel.pk).update(
            mentee_checkin=rng.choice(["working", "not_working"]),
            mentee_checkin_at=rel.started_at + dt.timedelta(days=36),
        )
    if rng.random() < 0.4:
        MenteeProfile.objects.filter(membership=rng.choice(people)).update(consent_analytics=False)
    if rng.random() < 0.4:
        MenteeProfile.objects.filter(membership=rng.choice(people)).update(training_level="PGY1")


@pytest.mark.django_db
def test_r23_a_new_search_and_request_appear_after_the_incremental_update(cast, history):
    rollups.refresh(now=NOW)
    mentee = history["mentees"][0]
    _search(mentee, at(2025, 6, 2), keys=["area:research"], results=0)
    mentor = mt.mentor_profile(cast.mentor)
    request = mt.pending_request(mentee, mentor, created_at=at(2025, 6, 2))
    assert not SearchRollup.objects.filter(viewer_id=mentee.pk, month=dt.date(2025, 6, 1)).exists()
    assert not RequestFact.objects.filter(request_id=request.pk).exists(), "pages read the last update only"
    done = rollups.update(now=NOW + dt.timedelta(minutes=10))
    assert SearchRollup.objects.filter(viewer_id=mentee.pk, month=dt.date(2025, 6, 1), no_results=1).exists()
    assert RequestFact.objects.get(request_id=request.pk).state == "pending"
    MentorshipRequest.objects.filter(pk=request.pk).update(state="declined", responded_at=at(2025, 6, 3))
    rollups.update(now=NOW + dt.timedelta(minutes=20))
    assert RequestFact.objects.get(request_id=request.pk).state == "declined", "a decision is seen too"
    assert done.refreshed_at == NOW + dt.timedelta(minutes=10)
    assert RollupRefresh.objects.get().rebuilt_at == NOW, "no full rebuild happened"


@pytest.mark.django_db
def test_r23_an_update_rebuilds_only_the_changed_institution(cast, history):
    rollups.refresh(now=NOW)
    outsider = history["outsiders"][0]
    a_rows = set(SearchRollup.objects.filter(institution_id=cast.inst_a.pk).values_list("id", flat=True))
    _search(outsider, at(2025, 6, 2))
    rollups.update(now=NOW + dt.timedelta(minutes=10))
    assert set(SearchRollup.objects.filter(institution_id=cast.inst_a.pk).values_list("id", flat=True)) == a_rows
    assert SearchRollup.objects.filter(viewer_id=outsider.pk, month=dt.date(2025, 6, 1)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(4))
def test_r23_the_incremental_update_equals_a_full_rebuild(cast, history, seed):
    rng = random.Random(seed)
    rollups.refresh(now=NOW)
    for step in range(3):
        _change(cast, history, rng)
        rollups.update(now=NOW + dt.timedelta(minutes=10 * (step + 1)))
        incremental = _snapshot()
        rollups.refresh(now=NOW + dt.timedelta(minutes=10 * (step + 1)))
        assert _snapshot() == incremental, f"seed {seed}, step {step}"


@pytest.mark.django_db
def test_r23_the_sweep_updates_between_full_rebuilds(cast, history, settings):
    settings.MMM = {**settings.MMM, "OUTCOMES_REFRESH_MINUTES": 10, "OUTCOMES_FULL_REBUILD_HOURS": 24}
    assert rollups.refresh_job(now=NOW) == 1
    assert RollupRefresh.objects.get().rebuilt_at == NOW
    _search(history["mentees"][1], at(2025, 6, 5))
    assert rollups.refresh_job(now=NOW + dt.timedelta(minutes=5)) == 0, "within the interval"
    assert rollups.refresh_job(now=NOW + dt.timedelta(minutes=11)) == 1
    done = RollupRefresh.objects.get()
    assert (done.refreshed_at, done.rebuilt_at) == (NOW + dt.timedelta(minutes=11), NOW), "incremental"
    assert SearchRollup.objects.filter(viewer_id=history["mentees"][1].pk, month=dt.date(2025, 6, 1)).exists()
    assert rollups.refresh_job(now=NOW + dt.timedelta(hours=25)) == 1
    assert RollupRefresh.objects.get().rebuilt_at == NOW + dt.timedelta(hours=25), "the daily full rebuild"


def _writes(queries) -> list[str]:
    """Writes of a request, but for opening a page marking its notification read (every page does)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and '"notifications_notification"' not in q["sql"].split("SET")[0]
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("built", [False, True])
def test_r23_outcomes_pages_issue_no_write(cast, history, built):
    if built:
        rollups.refresh(now=NOW)
    admin, staff = cast.client_for(cast.admin), cast.client_for(cast.staff)
    pages = [
        (admin, reverse("outcomes:dashboard")),
        (admin, reverse("outcomes:insight", args=["ledger"])),
        (staff, reverse("outcomes:national")),
        (staff, reverse("outcomes:national_insight", args=["time-to-match"])),
    ]
    for client, url in pages:
        client.get(url)  # sessions and caches warm
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url, {"year": 2024})
        assert page.status_code == 200, url
        assert _writes(ctx.captured_queries) == [], url
        said = "have not been computed yet" in page.content.decode()
        assert said is not built, url
    assert RollupRefresh.objects.exists() is built, "a page never builds the rollups"


@pytest.mark.django_db
def test_r23_the_repair_command_rebuilds_everything(cast, history):
    from django.core.management import call_command

    call_command("outcomes_rebuild")
    assert SearchRollup.objects.exists()
    built = _snapshot()
    call_command("outcomes_rebuild", "--changed")
    assert _snapshot() == built


@pytest.mark.django_db
def test_r23_a_check_in_answer_or_a_poor_fit_ending_alone_reaches_the_success_analysis(cast, history):
    rollups.refresh(now=NOW)
    facts = RelationshipFact.objects.values_list("relationship_id", flat=True)
    rel = Relationship.objects.filter(pk__in=list(facts), ended_at__isnull=True).order_by("pk")[0]
    Relationship.objects.filter(pk=rel.pk).update(mentee_checkin="", mentee_checkin_at=None)
    rollups.refresh(now=NOW)
    assert RelationshipFact.objects.get(relationship_id=rel.pk).working is None
    Relationship.objects.filter(pk=rel.pk).update(
        mentee_checkin="not_working", mentee_checkin_at=rel.started_at + dt.timedelta(days=36)
    )
    rollups.update(now=NOW + dt.timedelta(minutes=10))
    assert RelationshipFact.objects.get(relationship_id=rel.pk).working == 0.0
    Relationship.objects.filter(pk=rel.pk).update(
        ended_at=rel.started_at + dt.timedelta(days=40), end_reason="not_a_fit"
    )
    rollups.update(now=NOW + dt.timedelta(minutes=20))
    assert RelationshipFact.objects.get(relationship_id=rel.pk).not_a_fit == 100.0
    assert RollupRefresh.objects.get().rebuilt_at == NOW, "seen by the update, not a full rebuild"


def _figures(html: str) -> str:
    """The part of the outcomes page rendered from the release (the tables, analyses and charts)."""
    start = html.index('<h2 class="h5">')
    return html[start : html.index("</main>", start)] if "</main>" in html else html[start:]


@pytest.mark.django_db
def test_r23_the_rendered_figures_are_reused_within_a_release_and_replaced_by_the_next(cast, history, settings):
    """The figures' HTML is rendered once per release, language and page: a second reader reads no rollup
    and no stored release, sees exactly what a fresh rendering shows, and the next update shows new figures.
    The staff's national page of the same institution keeps its own links (national exports)."""
    from django.core.cache import cache

    settings.MMM = {**settings.MMM, "OUTCOMES_CACHE_SECONDS": 300}  # the deployment default (tests run with 0)
    rollups.refresh(now=NOW)
    admin, staff = cast.client_for(cast.admin), cast.client_for(cast.staff)
    url, query = reverse("outcomes:dashboard"), {"year": 2024}
    first = admin.get(url, query).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        again = admin.get(url, query).content.decode()
    read = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "outcomes_precomputedrelease" not in read and 'rollup"' not in read.replace("rolluprefresh", "")
    assert _figures(again) == _figures(first)
    national = staff.get(reverse("outcomes:national"), {**query, "institution": cast.inst_a.pk}).content.decode()
    assert "national/export/" in _figures(national)
    assert "national/export/" not in _figures(admin.get(url, query).content.decode())
    cache.clear()
    assert _figures(admin.get(url, query).content.decode()) == _figures(first), "cached = freshly rendered"

    for mentee in history["mentees"][:12]:
        _search(mentee, at(2025, 6, 2), keys=["area:research"], results=0)
    rollups.update(now=NOW + dt.timedelta(minutes=10))
    after = admin.get(url, query).content.decode()
    assert _figures(after) != _figures(first), "the next update is shown, not the rendered copy"
    cache.clear()
    assert _figures(admin.get(url, query).content.decode()) == _figures(after)
