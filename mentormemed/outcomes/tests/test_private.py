"""R23 with differential privacy: quarterly releases drawn once, within a budget, replacing exact tables."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentormemed.mentorships.models import MentorshipRequest, Relationship
from mentormemed.outcomes import private, rollups
from mentormemed.outcomes.models import PrivateRelease
from mentormemed.outcomes.tests.test_rollups import history  # noqa: F401  (the fixture)

AFTER = dt.datetime(2025, 7, 15, 9, tzinfo=dt.UTC)  # both quarters of the history (Jan–Jun 2025) have closed
JAN, APR, JUL = dt.date(2025, 1, 1), dt.date(2025, 4, 1), dt.date(2025, 7, 1)


@pytest.fixture
def differential(settings):
    settings.MMM = {**settings.MMM, "OUTCOMES_PRIVACY": "differential", "OUTCOMES_DP_EPSILON": 1.0}
    return settings


def _built():
    with time_machine.travel(AFTER):
        rollups.refresh()


def _direct(model, institution, start, end, field) -> int:
    """Distinct consenting mentees from the source table (the hand computation)."""
    zone = timezone.get_current_timezone()
    since, until = (dt.datetime.combine(day, dt.time.min, tzinfo=zone) for day in (start, end))
    qs = model.objects.filter(
        **{f"{field}__gte": since, f"{field}__lt": until}, mentee__mentee_profile__consent_analytics=True
    )
    if institution is not None:
        qs = qs.filter(mentee__institution=institution)
    return qs.values("mentee_id").distinct().count()


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), [(JAN, APR), (APR, JUL)])
def test_r23_private_figures_count_each_consenting_mentee_once(cast, history, start, end):  # noqa: F811
    _built()
    for institution, searchers in ((cast.inst_a, 14), (None, 17)):  # the refuser never counts
        got = private.true_figures(institution.pk if institution else None, start, end)
        assert got["searchers"] == searchers, "every mentee searched in each quarter, several times"
        assert got["requesters"] == _direct(MentorshipRequest, institution, start, end, "created_at")
        assert got["matched"] == _direct(Relationship, institution, start, end, "started_at")
        assert got["matched"] > 0 and got["scored"] == 0 and got["score_sum"] == 0


def test_r23_the_epsilon_spent_is_what_opendps_privacy_maps_give():
    mechanism = private.Mechanism.for_epsilon(2.0)
    assert mechanism.epsilon == pytest.approx(2.0, rel=1e-9)
    assert mechanism.scales == pytest.approx({"count": 4 / 1.5, "sum": 6 / 0.5})
    assert mechanism.counts.map(4) == pytest.approx(1.5) and mechanism.score_sum.map(6.0) == pytest.approx(0.5)


def test_r23_the_noise_is_centred_and_the_stated_range_holds():
    mechanism = private.Mechanism.for_epsilon(1.0)
    truth = {"searchers": 40, "requesters": 25, "matched": 12, "scored": 10, "score_sum": 35.0}
    draws = [mechanism.release(truth) for _ in range(3000)]
    margin = private.half_width(mechanism.scales["count"])
    for name in private.COUNTS:
        values = [d[name] for d in draws]
        assert statistics.fmean(values) == pytest.approx(truth[name], abs=0.6)  # 4 standard errors
        inside = sum(abs(v - truth[name]) <= margin for v in values) / len(values)
        assert 0.93 <= inside <= 0.975, f"{name}: {inside:.3f} of draws within ± {margin:.1f}"
    assert statistics.fmean(d["score_sum"] for d in draws) == pytest.approx(35.0, abs=2.0)


@pytest.mark.django_db
def test_r23_each_closed_quarter_is_released_once_and_shown_the_same_everywhere(cast, history, differential):  # noqa: F811
    _built()
    assert private.release_job(now=AFTER) > 0
    first = {(r.institution_id, r.quarter_start): r.values for r in PrivateRelease.objects.all()}
    assert private.release_job(now=AFTER + dt.timedelta(days=1)) == 0, "nothing drawn twice"
    assert {(r.institution_id, r.quarter_start): r.values for r in PrivateRelease.objects.all()} == first
    assert (cast.inst_a.pk, APR) in first and (None, APR) in first
    assert not PrivateRelease.objects.filter(quarter_start__gte=JUL).exists(), "the open quarter waits"
    client = cast.client_for(cast.admin)
    with time_machine.travel(AFTER):
        pages = [client.get(reverse("outcomes:dashboard") + "?year=2024").content.decode() for _ in range(2)]
        csv = client.get(reverse("outcomes:export", args=["private_trends"]) + "?year=2024").content.decode()
    sections = [page.split('data-testid="private-trends"')[1].split("</section>\n</section>")[0] for page in pages]
    assert sections[0] == sections[1] and "Apr 2025 – Jun 2025" in sections[0]
    searched = max(0, first[cast.inst_a.pk, APR]["searchers"])
    assert "Quarterly figures with differential privacy" in pages[0]
    assert f"Apr 2025 – Jun 2025,{searched}," in csv.replace("\r", "")
    with pytest.raises(IntegrityError), transaction.atomic():
        PrivateRelease.objects.create(
            institution=cast.inst_a, academic_year=2024, quarter_start=APR, epsilon=1.0, values={}, scales={}
        )


@pytest.mark.django_db
def test_r23_releases_stop_when_the_years_budget_is_spent(cast, history, differential):  # noqa: F811
    differential.MMM = {**differential.MMM, "OUTCOMES_DP_BUDGET": 2.0}
    _built()
    private.release_job(now=AFTER)
    year = PrivateRelease.objects.filter(institution=cast.inst_a, academic_year=2024)
    assert sorted(r.quarter_start for r in year) == [dt.date(2024, 7, 1), dt.date(2024, 10, 1)]
    assert private.spent(cast.inst_a.pk, 2024) == pytest.approx(2.0)
    with time_machine.travel(AFTER):
        page = cast.client_for(cast.admin).get(reverse("outcomes:dashboard") + "?year=2024").content.decode()
    assert page.count("privacy budget spent") == 2


@pytest.mark.django_db
def test_r23_admins_read_only_the_private_release_staff_keep_the_exact_tables(cast, history, differential):  # noqa: F811
    _built()
    private.release_job(now=AFTER)
    admin = cast.client_for(cast.admin)
    with time_machine.travel(AFTER):
        page = admin.get(reverse("outcomes:dashboard") + "?year=2024").content.decode()
        exact = admin.get(reverse("outcomes:export", args=["searches_by_month"]) + "?year=2024", follow=True)
        view = admin.get(reverse("outcomes:insight", args=["ledger"]) + "?year=2024", follow=True)
        staff = cast.client_for(cast.staff).get(reverse("outcomes:national") + "?year=2024").content.decode()
    assert "Searches by training level" not in page and "Minority-tax ledger" not in page
    assert "released with differential privacy" in page
    for response in (exact, view):
        assert response.redirect_chain[-1][0] == reverse("outcomes:dashboard")
        assert "exact tables and the views built on them are not released" in response.content.decode()
    assert "Searches by training level" in staff and "Quarterly figures with differential privacy" in staff


@pytest.mark.django_db
def test_r23_without_the_setting_nothing_is_released(cast, history):  # noqa: F811
    _built()
    assert private.release_job(now=AFTER) == 0
    assert not PrivateRelease.objects.exists()


def test_r23_a_mean_is_shown_only_when_its_noise_range_is_within_one_point():
    scales = private.Mechanism.for_epsilon(1.0).scales
    few = PrivateRelease(
        values={"searchers": 9, "requesters": -2, "matched": 3, "scored": 20, "score_sum": 90.0}, scales=scales
    )
    many = PrivateRelease(
        values={"searchers": 900, "requesters": 400, "matched": 300, "scored": 300, "score_sum": 1290.0}, scales=scales
    )
    assert private._mean(few) is None and private._margins(few)[1].display == "—"
    assert private._count_cell(few, "requesters").value == 0, "a noisy count below zero reads 0"
    assert private._mean(many) == pytest.approx(5.3)
    assert private._margins(many)[1].display == f"± {private.half_width(scales['sum']) / 300:.2f}"
    assert private._margins(many)[0].display == "± 16", "counts at ε = 1: scale 16/3 × ln 20 = 15.98"
