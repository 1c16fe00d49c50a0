"""R1: a lapsed member sees a read-only view of their mentorships, upcoming meetings and whom to
contact; the institution's admin renews, and access returns at once (R3: a new term, a new invoice)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.clock import platform_today
from mentormemed.core.models import AuditEntry
from mentormemed.institutions.models import Subscription
from mentormemed.mentorships import testing
from mentormemed.scheduling.testing import meeting

pytestmark = pytest.mark.django_db


def _lapse(institution) -> Subscription:
    today = platform_today()
    sub = institution.subscriptions.get()
    Subscription.objects.filter(pk=sub.pk).update(
        term_start=today - dt.timedelta(days=395), term_end=today - dt.timedelta(days=30)
    )
    return Subscription.objects.get(pk=sub.pk)


@pytest.fixture
def lapsed(cast):
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    rel = testing.relationship(cast.mentee, testing.mentor_profile(cast.mentor))
    booked = meeting(rel, starts_at=timezone.now() + dt.timedelta(days=3))
    _lapse(cast.inst_a)
    return rel, booked


def test_r1_a_lapsed_member_sees_history_meetings_and_whom_to_contact_read_only(cast, lapsed):
    rel, booked = lapsed
    response = cast.client_for(cast.mentee).get(reverse("core:home"))
    html = response.content.decode()
    assert response.status_code == 403 and "Access is paused" in html
    assert "Your mentorships" in html and cast.mentor.user.display_name in html
    assert "Upcoming meetings" in html and "No meetings booked." not in html and "<time datetime=" in html
    assert "Whom to contact" in html and cast.admin.user.email in html
    # Read-only: no links into pages that would refuse them, no forms.
    main = html[html.index('id="main"') :]
    assert f"/mentorships/{rel.pk}/" not in main and "<form" not in main.split("</main>")[0]
    # The mentor sees the same kind of view, about their mentee.
    mentor_html = cast.client_for(cast.mentor).get(reverse("core:home")).content.decode()
    assert cast.mentee.user.display_name in mentor_html and "Upcoming meetings" in mentor_html


def test_r1_r3_the_admin_of_a_lapsed_institution_renews_and_access_returns(cast, lapsed):
    client = cast.client_for(cast.admin)
    page = client.get(reverse("institutions:subscription")).content.decode()
    assert "Renew for one year" in page
    response = client.post(reverse("institutions:subscription_renew"), {})  # no confirmation: nothing happens
    assert response.status_code == 302 and cast.inst_a.subscriptions.count() == 1
    client.post(reverse("institutions:subscription_renew"), {"confirm": "on"})
    renewed = cast.inst_a.subscriptions.order_by("-term_start").first()
    assert renewed.term_start == platform_today()  # a lapsed term restarts today, not back-dated
    assert renewed.paid_on is None and renewed.invoice_due == renewed.term_start + dt.timedelta(days=30)
    assert AuditEntry.objects.filter(action="subscription.renew", actor=cast.admin.user, actor_role="admin").exists()
    assert cast.client_for(cast.mentee).get(reverse("core:home")).status_code == 200
    assert "Renew for one year" not in client.get(reverse("institutions:subscription")).content.decode()


def test_r3_renewal_opens_only_near_the_end_of_a_term(cast):
    page = cast.client_for(cast.admin).get(reverse("institutions:subscription")).content.decode()
    sub = cast.inst_a.subscriptions.get()
    if sub.term_end > platform_today() + dt.timedelta(days=90):
        assert "Renew for one year" not in page
        cast.client_for(cast.admin).post(reverse("institutions:subscription_renew"), {"confirm": "on"})
        assert cast.inst_a.subscriptions.count() == 1
    # Another institution's admin cannot renew this one: the view only ever renews the actor's own.
    cast.client_for(cast.admin_b).post(reverse("institutions:subscription_renew"), {"confirm": "on"})
    assert cast.inst_a.subscriptions.count() == 1
