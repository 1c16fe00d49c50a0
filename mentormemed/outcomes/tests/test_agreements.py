"""Research exports are released under a data use agreement (R25, R40): accepted by the requester before
any export, in force until its destruction date, reminded before it, and closed by an attestation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.notifications.models import Notification
from mentormemed.outcomes import services
from mentormemed.outcomes.models import DataUseAgreement, ResearchRequest
from mentormemed.outcomes.testing import research_request

pytestmark = pytest.mark.django_db


def _decide(cast, item, **terms):
    defaults = {
        "recipients": "Dr. Rivera (PI); A. Chen (analyst)",
        "destroy_by": timezone.localdate() + dt.timedelta(days=200),
    }
    return services.research_decide(
        acting=Actor.for_user(cast.staff), request=item, approve=True, note="Approved.", **{**defaults, **terms}
    )


@pytest.mark.parametrize(
    "terms, message",
    [
        ({"recipients": "  "}, "Name who may see the data"),
        ({"destroy_by": None}, "destruction date after today"),
        ({"destroy_by": dt.date(2020, 1, 1)}, "destruction date after today"),
        ({"destroy_by": dt.date.today() + dt.timedelta(days=6 * 366)}, "at most five years"),
    ],
)
def test_r25_approval_needs_recipients_and_a_destruction_date_and_otherwise_changes_nothing(cast, terms, message):
    item = research_request(cast.mentor)
    with pytest.raises(ValidationError, match=message):
        _decide(cast, item, **terms)
    item.refresh_from_db()
    assert item.state == "submitted" and not DataUseAgreement.objects.exists()


def test_r25_nothing_is_released_before_the_requester_accepts(cast):
    item = research_request(cast.mentor)
    _decide(cast, item)
    agreement = DataUseAgreement.objects.get(request=item)
    assert agreement.state == "awaiting" and agreement.variables == item.variables
    note = Notification.objects.get(user=cast.mentor.user, kind="research")
    assert note.url == reverse("outcomes:research_agreement", args=[item.pk])
    for acting in (Actor.for_user(cast.staff), Actor.for_membership(cast.mentor)):
        with pytest.raises(ValidationError, match="accepted and in force"):
            services.research_export(acting=acting, request=item)
    mentor = cast.client_for(cast.mentor)
    response = mentor.get(reverse("outcomes:research_export", args=[item.pk]), follow=True)
    assert "accepted and in force" in response.content.decode()
    assert not AuditEntry.objects.filter(action="research.export").exists()


def test_r25_only_the_requester_signs_and_downloads(cast):
    item = research_request(cast.mentor)
    _decide(cast, item)
    agreement = item.agreement
    with pytest.raises(PermissionDenied):
        services.agreement_accept(acting=Actor.for_membership(cast.mentor_b), agreement=agreement, full_name="B")
    other = cast.client_for(cast.mentor_b)
    assert other.get(reverse("outcomes:research_agreement", args=[item.pk])).status_code == 404
    assert other.get(reverse("outcomes:research_export", args=[item.pk])).status_code == 404
    assert (
        other.post(
            reverse("outcomes:research_agreement", args=[item.pk]),
            {"action": "accept", "full_name": "B", "accept": "on"},
        ).status_code
        == 404
    )
    agreement.refresh_from_db()
    assert agreement.accepted_at is None


def test_r25_accepting_releases_the_export_to_the_requester_audited_each_time(cast):
    item = research_request(cast.mentor)
    _decide(cast, item)
    mentor = cast.client_for(cast.mentor)
    url = reverse("outcomes:research_agreement", args=[item.pk])
    page = mentor.get(url).content.decode()
    assert "Do not try to identify any person" in page and "Dr. Rivera (PI)" in page
    mentor.post(url, {"action": "accept", "full_name": "", "accept": "on"})
    mentor.post(url, {"action": "accept", "full_name": "Dr. Rivera"})  # the box not ticked
    item.agreement.refresh_from_db()
    assert item.agreement.accepted_at is None, "a name and the box are both needed"
    assert mentor.post(url, {"action": "accept", "full_name": "Dr. Rivera", "accept": "on"}).status_code == 302
    agreement = DataUseAgreement.objects.get(request=item)
    assert agreement.state == "active" and agreement.accepted_name == "Dr. Rivera"
    assert agreement.accepted_by == cast.mentor.user
    with pytest.raises(ValidationError, match="already accepted"):
        services.agreement_accept(acting=Actor.for_membership(cast.mentor), agreement=agreement, full_name="Again")
    for _ in range(2):
        response = mentor.get(reverse("outcomes:research_export", args=[item.pk]))
        assert response["Content-Type"] == "application/zip"
    item.refresh_from_db()
    assert item.exports == 2
    audited = AuditEntry.objects.filter(action="research.export").values_list("actor_role", flat=True)
    assert list(audited) == ["mentor", "mentor"]
    assert AuditEntry.objects.filter(action="research.agreement_accept").count() == 1


def test_r40_past_its_date_the_export_stops_and_the_destruction_is_attested(cast):
    item = research_request(cast.mentor, state="approved", destroy_in_days=30)
    agreement = item.agreement
    url = reverse("outcomes:research_agreement", args=[item.pk])
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        mentor = cast.client_for(cast.mentor)
        assert DataUseAgreement.objects.get(pk=agreement.pk).state == "expired"
        with pytest.raises(ValidationError):
            services.research_export(acting=Actor.for_membership(cast.mentor), request=item)
        assert "no longer available" in mentor.get(url).content.decode()
        future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
        mentor.post(url, {"action": "attest", "destroyed_on": future, "confirm": "on"})
        assert DataUseAgreement.objects.get(pk=agreement.pk).destroyed_attested_at is None, "not a future date"
        today = timezone.localdate().isoformat()
        assert mentor.post(url, {"action": "attest", "destroyed_on": today, "confirm": "on"}).status_code == 302
        agreement.refresh_from_db()
        assert agreement.state == "destroyed" and agreement.destroyed_on == timezone.localdate()
        staff = cast.client_for(cast.staff)
        assert "data destroyed" in staff.get(reverse("outcomes:staff_research")).content.decode()
    with pytest.raises(ValidationError):  # even with the clock turned back, a destroyed release stays closed
        services.research_export(acting=Actor.for_user(cast.staff), request=item)
    assert AuditEntry.objects.filter(action="research.agreement_destroyed").count() == 1


def test_r40_an_agreement_accepted_after_its_date_is_refused(cast):
    item = research_request(cast.mentor, state="approved", accepted=False, destroy_in_days=5)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=6)),
        pytest.raises(ValidationError, match="destruction date has passed"),
    ):
        services.agreement_accept(acting=Actor.for_membership(cast.mentor), agreement=item.agreement, full_name="X")
    with pytest.raises(ValidationError, match="Nothing was released"):
        services.agreement_attest(
            acting=Actor.for_membership(cast.mentor), agreement=item.agreement, destroyed_on=timezone.localdate()
        )


def test_r40_the_sweep_reminds_before_the_date_and_once_when_the_attestation_is_overdue(cast):
    item = research_request(cast.mentor, state="approved", destroy_in_days=40)
    research_request(cast.mentor_b, state="approved", accepted=False, destroy_in_days=40)  # never released
    now = timezone.now()
    assert services.agreement_job(now=now) == 0, "40 days before: nothing yet"
    soon = now + dt.timedelta(days=27)
    assert services.agreement_job(now=soon) == 1
    assert services.agreement_job(now=soon + dt.timedelta(hours=1)) == 0, "once"
    reminder = Notification.objects.get(user=cast.mentor.user, kind="research")
    assert reminder.url == reverse("outcomes:research_agreement", args=[item.pk]) and "Destroy" in reminder.title
    late = now + dt.timedelta(days=42)
    assert services.agreement_job(now=late) == 1
    assert services.agreement_job(now=late + dt.timedelta(days=1)) == 0
    assert Notification.objects.filter(user=cast.mentor.user, title__startswith="Confirm").count() == 1
    assert not Notification.objects.filter(user=cast.mentor_b.user).exists()


def test_r40_the_sweep_runs_the_agreement_job():
    from mentormemed.core.periodic import _jobs

    assert _jobs["research_agreements"] is services.agreement_job


def test_r25_a_decline_writes_no_agreement(cast):
    item = research_request(cast.mentor)
    services.research_decide(acting=Actor.for_user(cast.staff), request=item, approve=False, note="Out of scope.")
    assert ResearchRequest.objects.get(pk=item.pk).state == "declined" and not DataUseAgreement.objects.exists()
