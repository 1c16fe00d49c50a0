"""R1 (access follows the subscription) and R3 (bands, fees, invoices)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.institutions import services
from mentormemed.institutions.models import PriceBand, Subscription
from mentormemed.institutions.selectors import institution_has_access
from mentormemed.testing.factories import InstitutionFactory, MembershipFactory, onboard

pytestmark = pytest.mark.django_db


def test_r1_lapsed_subscription_pauses_members_but_deletes_nothing(cast):
    sub = cast.inst_a.subscriptions.get()
    mentee_client = cast.client_for(cast.mentee)
    assert mentee_client.get(reverse("core:home")).status_code == 200

    with time_machine.travel(sub.term_end + dt.timedelta(days=1)):
        response = cast.client_for(cast.mentee).get(reverse("core:home"))
        assert response.status_code == 403
        assert b"Access is paused" in response.content
        assert cast.client_for(cast.mentor).get(reverse("core:onboarding")).status_code == 403
        # Admins still see their pages and the renewal state.
        admin_page = cast.client_for(cast.admin).get(reverse("institutions:subscription"))
        assert admin_page.status_code == 200
        assert b"lapsed" in admin_page.content
    cast.mentee.refresh_from_db()
    assert cast.mentee.status == "active"


def test_r1_ending_a_subscription_early_removes_access_today(cast):
    sub = cast.inst_a.subscriptions.get()
    services.subscription_end(acting=Actor.for_user(cast.staff), subscription=sub)
    assert not institution_has_access(cast.inst_a)
    assert cast.client_for(cast.mentee).get(reverse("core:home")).status_code == 403
    assert AuditEntry.objects.filter(action="subscription.end", institution=cast.inst_a).exists()


def test_r1_staff_belong_to_no_institution(cast):
    assert not cast.staff.memberships.exists()
    response = cast.client_for(cast.staff).get(reverse("core:home"))
    assert response.status_code == 200
    assert b"National network" in response.content


def test_r3_subscription_takes_band_for_headcount_and_copies_fee(cast):
    inst = InstitutionFactory(subscribed=False, eligible_headcount=900, mentor_commitment=0)
    sub = services.subscription_start(
        acting=Actor.for_user(cast.staff), institution=inst, term_start=dt.date(2026, 7, 1)
    )
    assert sub.band.name == "Large"
    assert sub.fee == Decimal("36000.00")
    assert sub.term_end == dt.date(2027, 6, 30)
    assert sub.invoice_number.startswith("MMM-2026-")
    # A later price change does not rewrite the issued subscription.
    PriceBand.objects.filter(name="Large").update(annual_fee=Decimal("50000.00"))
    sub.refresh_from_db()
    assert sub.fee == Decimal("36000.00")
    assert inst.mentor_commitment == 75


def test_r3_renewal_starts_the_day_after_and_gets_a_new_invoice(cast):
    sub = cast.inst_a.subscriptions.get()
    renewed = services.subscription_renew(acting=Actor.for_user(cast.staff), subscription=sub)
    assert renewed.term_start == sub.term_end + dt.timedelta(days=1)
    assert renewed.invoice_number != sub.invoice_number
    with time_machine.travel(sub.term_end + dt.timedelta(days=10)):
        assert institution_has_access(cast.inst_a)


def test_r3_overlapping_terms_are_refused(cast):
    sub = cast.inst_a.subscriptions.get()
    with pytest.raises(ValidationError, match="overlaps"):
        services.subscription_start(
            acting=Actor.for_user(cast.staff), institution=cast.inst_a, term_start=sub.term_start
        )


def test_r3_invoice_numbers_are_unique_in_the_database(cast):
    sub = cast.inst_a.subscriptions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(
            institution=cast.inst_b,
            band=sub.band,
            band_name="x",
            fee=1,
            term_start=dt.date(2030, 1, 1),
            term_end=dt.date(2030, 12, 31),
            invoice_number=sub.invoice_number,
        )


def test_r3_overlapping_price_bands_are_refused(cast):
    with pytest.raises(ValidationError, match="overlaps"):
        services.price_band_save(
            acting=Actor.for_user(cast.staff),
            band=PriceBand(name="Odd", min_headcount=200, max_headcount=300, annual_fee=1, mentor_commitment=1),
        )


def test_r3_staff_edit_price_band_in_the_product(cast):
    band = PriceBand.objects.get(name="Small")
    client = cast.client_for(cast.staff)
    response = client.post(
        reverse("staff:price_band_edit", args=[band.pk]),
        {"name": "Small", "min_headcount": 0, "max_headcount": 250, "annual_fee": "13000.00", "mentor_commitment": 25},
    )
    assert response.status_code == 302
    band.refresh_from_db()
    assert band.annual_fee == Decimal("13000.00")
    assert AuditEntry.objects.filter(action="price_band.update").exists()


def test_r2_institution_kinds_and_field_of_training_are_data(cast):
    from mentormemed.profiles.models import FieldOfTraining

    nursing = FieldOfTraining.objects.get(key="nursing")
    client = cast.client_for(cast.staff)
    response = client.post(
        reverse("staff:institution_new"),
        {
            "name": "Harbor School of Nursing",
            "kind": "other_program",
            "field_of_training": nursing.pk,
            "eligible_headcount": 120,
            "time_zone": "America/New_York",
            "mentor_commitment": 10,
            "criteria_text": "Holds a faculty appointment\nIn good standing",
        },
    )
    assert response.status_code == 302, response.content
    from mentormemed.institutions.models import Institution

    inst = Institution.objects.get(name="Harbor School of Nursing")
    assert inst.field_of_training == nursing
    assert list(inst.criteria.values_list("text", flat=True)) == ["Holds a faculty appointment", "In good standing"]
    # A hospital system needs no school affiliation: it is just another kind.
    assert "hospital_system" in dict(Institution.Kind.choices)


def test_r1_member_of_unsubscribed_institution_sees_pause_page():
    inst = InstitutionFactory(subscribed=False)
    mentee = onboard(MembershipFactory(institution=inst, role="mentee"))
    from django.test import Client

    client = Client()
    client.force_login(mentee.user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 403
    assert b"subscription does not cover today" in response.content
    assert timezone.now()


def test_r32_admin_dashboard_counts_each_mentor_once(cast):
    response = cast.client_for(cast.admin).get(reverse("core:home"))
    panel = response.context["panels"][0].context
    assert panel["mentors"] == 1
    assert panel["mentees"] == 1
    assert panel["supply"] == {"active": 1, "commitment": 50, "percent": 2, "bar": 2}
