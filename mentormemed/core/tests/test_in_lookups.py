"""Integer ``__in`` lists (issue 14): one array parameter on PostgreSQL, the same rows everywhere."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentormemed.institutions.models import Institution, Membership
from mentormemed.testing.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _sql(qs) -> str:
    with CaptureQueriesContext(connection) as captured:
        list(qs)
    return captured.captured_queries[-1]["sql"]


def test_a_long_list_of_ids_finds_exactly_its_rows(cast):
    extra = [InstitutionFactory().pk for _ in range(3)]
    wanted = [cast.inst_a.pk, *extra, 10**30, None, str(extra[0])]
    assert set(Institution.objects.filter(pk__in=wanted).values_list("pk", flat=True)) == {cast.inst_a.pk, *extra}
    assert cast.inst_b.pk in Institution.objects.exclude(pk__in=wanted).values_list("pk", flat=True)
    assert not Institution.objects.filter(pk__in=[10**30, None]).exists()


def test_a_foreign_key_list_finds_exactly_its_rows(cast):
    found = Membership.objects.filter(institution_id__in=[cast.inst_b.pk, 10**30])
    assert set(found.values_list("institution_id", flat=True)) == {cast.inst_b.pk}
    assert set(Membership.objects.filter(institution__in=[cast.inst_b]).values_list("pk", flat=True)) == set(
        found.values_list("pk", flat=True)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array parameter is PostgreSQL's")
def test_on_postgresql_the_list_is_one_array_parameter(cast):
    ids = list(range(1, 201))
    for qs in (
        Institution.objects.filter(pk__in=ids).values("pk"),
        Membership.objects.filter(institution_id__in=ids).values("pk"),
    ):
        sql = _sql(qs)
        assert "= ANY('{1,2,3," in sql and "::bigint[]" in sql
        assert " IN (" not in sql


def test_a_subquery_stays_a_subquery(cast):
    inner = Institution.objects.filter(name__startswith="Alpha").values("pk")
    sql = _sql(Membership.objects.filter(institution_id__in=inner))
    assert " IN (SELECT" in sql
    assert set(Membership.objects.filter(institution_id__in=inner).values_list("institution_id", flat=True)) == {
        cast.inst_a.pk
    }


def test_in_array_takes_the_array_text_and_finds_its_rows(cast):
    from mentormemed.core.lookups import id_array

    extra = InstitutionFactory()
    ids = id_array([cast.inst_a.pk, extra.pk])
    assert set(Institution.objects.filter(pk__in_array=ids).values_list("pk", flat=True)) == {cast.inst_a.pk, extra.pk}
    assert set(Membership.objects.filter(institution_id__in_array=ids).values_list("institution_id", flat=True)) == {
        cast.inst_a.pk
    }
    assert not Institution.objects.filter(pk__in_array=id_array([])).exists()
    if connection.vendor == "postgresql":
        assert "= ANY(" in _sql(Institution.objects.filter(pk__in_array=ids))
