"""R3, issue 12: the database holds "no two live terms of one institution overlap", and the
errors say which rule was broken (overlap vs invoice number)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from mentormemed.core.access import Actor
from mentormemed.institutions import services
from mentormemed.institutions.models import Subscription
from mentormemed.testing.factories import InstitutionFactory, UserFactory


def _row(institution, band, start: dt.date, number: str, **extra) -> Subscription:
    return Subscription.objects.create(
        institution=institution,
        band=band,
        band_name=band.name,
        fee=1,
        term_start=start,
        term_end=start.replace(year=start.year + 1) - dt.timedelta(days=1),
        invoice_number=number,
        **extra,
    )


@pytest.mark.django_db
def test_r3_the_database_refuses_an_overlapping_live_term_and_says_so(cast):
    """R3: written straight to the database (no service check), an overlapping term is refused by
    the exclusion constraint (PostgreSQL) or trigger (SQLite); the error names the overlap rule."""
    sub = cast.inst_a.subscriptions.get()
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        _row(cast.inst_a, sub.band, sub.term_start + dt.timedelta(days=10), "TEST-OVERLAP-1")
    assert services._violated_constraint(caught.value) == services.OVERLAP_CONSTRAINT
    # An ended term does not block, nor does another institution, nor the day after the term.
    _row(InstitutionFactory(subscribed=False), sub.band, sub.term_start, "TEST-OTHER-INST")
    _row(cast.inst_a, sub.band, sub.term_end + dt.timedelta(days=1), "TEST-NEXT-TERM")
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        _row(InstitutionFactory(subscribed=False), sub.band, dt.date(2040, 1, 1), sub.invoice_number)
    assert services._violated_constraint(caught.value) == services.INVOICE_CONSTRAINT


@pytest.mark.django_db(transaction=True)
def test_r3_two_staff_starting_the_same_term_at_once_get_one_term_and_a_clear_overlap_error():
    """R3: two concurrent subscription_start calls for one institution: one term, and the other
    caller hears "overlaps" (not "could not allocate an invoice number")."""
    if connection.vendor != "postgresql":
        pytest.skip("Real concurrent transactions need PostgreSQL; SQLite serialises every writer anyway.")
    from mentormemed.institutions.models import PriceBand

    if not PriceBand.objects.filter(min_headcount=0).exists():
        PriceBand.objects.create(name="Race band", min_headcount=0, max_headcount=None, annual_fee=100)
    institution = InstitutionFactory(subscribed=False)
    staff = UserFactory(is_staff=True)
    start = dt.date(2031, 1, 1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start_term() -> None:
        try:
            barrier.wait(timeout=5)
            services.subscription_start(acting=Actor.for_user(staff), institution=institution, term_start=start)
            outcomes.append("started")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start_term) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["This term overlaps an existing subscription of the institution.", "started"]
    assert institution.subscriptions.count() == 1


@pytest.mark.django_db
def test_r39_the_overlap_error_reads_in_the_readers_language(cast):
    """R39: the overlap error is worded when shown, so a Spanish-speaking staff member reads it in Spanish
    (it was an English literal, the same in every language)."""
    from django.utils import translation

    sub = cast.inst_a.subscriptions.get()
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError) as caught:
        services.subscription_start(
            acting=Actor.for_user(staff), institution=cast.inst_a, term_start=sub.term_start + dt.timedelta(days=10)
        )
    with translation.override("es"):
        assert caught.value.messages == ["Este período se superpone con una suscripción vigente de la institución."]
    with translation.override("en"):
        assert caught.value.messages == ["This term overlaps an existing subscription of the institution."]
