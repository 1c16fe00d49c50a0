"""R18–R20: due dates (time travel), aggregate-only feedback, reminders, instruments, surveys, graduates."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.evaluations import selectors, services
from mentormemed.evaluations.models import Evaluation, Instrument, MentorInvitationOffer
from mentormemed.evaluations.schedule import add_months, evaluation_due
from mentormemed.mentorships import testing as mt
from mentormemed.notifications.models import Notification, NotificationPreference
from mentormemed.testing.factories import MembershipFactory, UserFactory, onboard

START = dt.datetime(2025, 1, 15, 15, 0, tzinfo=dt.UTC)


def answers(score: int = 6, comment: str = "") -> dict:
    version = Instrument.objects.get(kind="mentor_evaluation").current_version
    out = {i["key"]: score for i in version.items if i["type"] in ("scale", "overall")}
    if comment:
        out["comments"] = comment
    return out


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 1, 15), 12) == dt.date(2026, 1, 15)


@pytest.mark.django_db
def test_r18_due_six_months_after_start_then_every_six_months_and_at_the_end(cast):
    mentor = mt.mentor_profile(cast.mentor)
    rel = mt.relationship(cast.mentee, mentor, started_at=START)
    with time_machine.travel(dt.datetime(2025, 7, 14, 12, tzinfo=dt.UTC)):
        assert selectors.open_evaluations(mentee=cast.mentee) == []
    with time_machine.travel(dt.datetime(2025, 7, 15, 18, tzinfo=dt.UTC)):
        [due] = selectors.open_evaluations(mentee=cast.mentee)
        assert (due.due.occasion, due.due.sequence, due.due.due_on, due.due.overdue) == (
            "periodic",
            1,
            dt.date(2025, 7, 15),
            False,
        )
    with time_machine.travel(dt.datetime(2025, 8, 20, 12, tzinfo=dt.UTC)):
        [due] = selectors.open_evaluations(mentee=cast.mentee)
        assert due.due.overdue, "30 days after the due date an unanswered evaluation is overdue"
        services.evaluation_submit(acting=Actor.for_membership(cast.mentee), relationship_id=rel.pk, answers=answers())
        assert selectors.open_evaluations(mentee=cast.mentee) == []
    with time_machine.travel(dt.datetime(2026, 1, 16, 12, tzinfo=dt.UTC)):
        [due] = selectors.open_evaluations(mentee=cast.mentee)
        assert (due.due.sequence, due.due.due_on) == (2, dt.date(2026, 1, 15))
        rel.ended_at = timezone.now()
        rel.save(update_fields=["ended_at"])
        [due] = selectors.open_evaluations(mentee=cast.mentee)
        assert due.due.occasion == "exit", "after the end only the exit evaluation is open"
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)):
        assert selectors.open_evaluations(mentee=cast.mentee) == [], "the exit window closed after 90 days"


def test_r18_short_relationship_gets_only_the_exit_evaluation():
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ended = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    due = evaluation_due(started_at=start, ended_at=ended, today=dt.date(2025, 3, 2))
    assert due.occasion == "exit" and due.due_on == dt.date(2025, 3, 1)
    assert evaluation_due(started_at=start, ended_at=None, today=dt.date(2025, 6, 30)) is None


@pytest.mark.django_db
def test_r18_submit_stores_version_scores_and_refuses_a_second_submit(cast):
    mentor = mt.mentor_profile(cast.mentor)
    rel = mt.relationship(cast.mentee, mentor, started_at=timezone.now() - dt.timedelta(days=200))
    ev = services.evaluation_submit(
        acting=Actor.for_membership(cast.mentee), relationship_id=rel.pk, answers=answers(5)
    )
    assert ev.competency_mean == 5 and ev.overall == 5 and ev.version.number == 1
    assert (ev.occasion, ev.sequence) == ("periodic", 1)
    with pytest.raises(ValidationError):
        services.evaluation_submit(acting=Actor.for_membership(cast.mentee), relationship_id=rel.pk, answers=answers(5))
    with pytest.raises(ValidationError):
        services.evaluation_submit(
            acting=Actor.for_membership(cast.mentee_b), relationship_id=rel.pk, answers=answers(5)
        )


@pytest.mark.django_db
def test_r18_out_of_range_rating_is_refused(cast):
    mentor = mt.mentor_profile(cast.mentor)
    rel = mt.relationship(cast.mentee, mentor, started_at=timezone.now() - dt.timedelta(days=200))
    bad = answers(6) | {"integrity": 9}
    with pytest.raises(ValidationError):
        services.evaluation_submit(acting=Actor.for_membership(cast.mentee), relationship_id=rel.pk, answers=bad)


def _evaluations(cast, mentor, n: int, *, score_of=lambda i: 4, comment: str = "") -> None:
    for i in range(n):
        mentee = onboard(MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory()))
        rel = mt.relationship(mentee, mentor, started_at=timezone.now() - dt.timedelta(days=190 + i))
        services.evaluation_submit(
            acting=Actor.for_membership(mentee), relationship_id=rel.pk, answers=answers(score_of(i), comment)
        )
        # End it at once so the mentor's cap (R12) never gets in the way of this test.
        rel.ended_at = timezone.now()
        rel.save(update_fields=["ended_at"])


LATER = dt.timedelta(days=15)  # past the 14-day delay before an evaluation can join a batch


@pytest.mark.django_db
def test_r18_mentor_sees_nothing_until_a_batch_of_three_mentees_is_old_enough(cast):
    mentor = mt.mentor_profile(cast.mentor)
    _evaluations(cast, mentor, 2)
    with time_machine.travel(timezone.now() + LATER):
        summary = selectors.mentor_feedback(mentor=mentor)
        assert not summary.visible and summary.competency_mean is None and summary.items == []
        page = cast.client_for(cast.mentor).get(reverse("evaluations:feedback")).content.decode()
    assert "2 evaluations so far" in page
    _evaluations(cast, mentor, 1)
    assert not selectors.mentor_feedback(mentor=mentor).visible, "a fresh answer waits: its timing would show it"
    with time_machine.travel(timezone.now() + LATER):
        summary = selectors.mentor_feedback(mentor=mentor)
    assert summary.visible and summary.released == 3 and summary.mentees == 3


@pytest.mark.django_db
def test_r18_r38_a_batch_counts_mentees_not_evaluations(cast):
    """Eleven evaluations from two mentees are two people's answers: never released."""
    mentor = mt.mentor_profile(cast.mentor)
    mentees = [onboard(MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory())) for _ in range(2)]
    rows = [{"mentee_id": mentees[i % 2].pk, "submitted_at": timezone.now() - dt.timedelta(days=60)} for i in range(11)]
    assert selectors.released_evaluations(rows) == []
    rel = mt.relationship(mentees[0], mentor, started_at=timezone.now() - dt.timedelta(days=400))
    services.evaluation_submit(acting=Actor.for_membership(mentees[0]), relationship_id=rel.pk, answers=answers(6))
    with time_machine.travel(timezone.now() + LATER):
        assert not selectors.mentor_feedback(mentor=mentor).visible


@pytest.mark.django_db
def test_r18_mentor_aggregates_update_only_in_whole_batches(cast):
    """A released mean must not change at the next single answer: the difference would reveal it."""
    mentor = mt.mentor_profile(cast.mentor)
    _evaluations(cast, mentor, 3, score_of=lambda i: 3 + (i % 3), comment="Very personal remark")
    with time_machine.travel(timezone.now() + LATER):
        first = selectors.mentor_feedback(mentor=mentor)
    assert first.visible and first.released == 3
    assert first.competency_mean == round(sum(3 + (i % 3) for i in range(3)) / 3, 2)
    _evaluations(cast, mentor, 1, score_of=lambda i: 1)
    with time_machine.travel(timezone.now() + LATER):
        second = selectors.mentor_feedback(mentor=mentor)
        page = cast.client_for(cast.mentor).get(reverse("evaluations:feedback")).content.decode()
    assert second.responses == 4 and second.released == 3 and second.waiting == 1
    assert second.competency_mean == first.competency_mean
    assert "Very personal remark" not in page, "free text is never shown to mentors"
    assert Evaluation.objects.filter(mentor=mentor).count() == 4


@pytest.mark.django_db
def test_r18_due_evaluation_shows_on_the_mentee_home_and_the_form_submits(cast):
    mt.fully_onboard(cast.mentee)
    mentor = mt.mentor_profile(cast.mentor)
    rel = mt.relationship(cast.mentee, mentor, started_at=timezone.now() - dt.timedelta(days=185))
    client = cast.client_for(cast.mentee)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("evaluations:evaluate", args=[rel.pk]) in home
    response = client.post(reverse("evaluations:evaluate", args=[rel.pk]), answers(7))
    assert response.status_code == 302
    assert Evaluation.objects.get(relationship=rel).competency_mean == 7
    assert reverse("evaluations:evaluate", args=[rel.pk]) not in client.get(reverse("core:home")).content.decode()


@pytest.mark.django_db
def test_r18_reminders_are_sent_once_and_follow_the_notification_preference(cast, django_capture_on_commit_callbacks):
    mentor = mt.mentor_profile(cast.mentor)
    mt.relationship(cast.mentee, mentor, started_at=timezone.now() - dt.timedelta(days=185))
    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_reminders()
    assert first["evaluation_reminders"] == 1
    assert services.send_reminders()["evaluation_reminders"] == 0, "idempotent"
    note = Notification.objects.get(user=cast.mentee.user, kind="evaluation")
    assert note.delivery == "immediate" and any("Due" in m.subject or "due" in m.body for m in mail.outbox)
    # R31: a person who chose the digest gets no immediate e-mail for the overdue reminder.
    NotificationPreference.objects.create(user=cast.mentee.user, kind="evaluation", delivery="digest")
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + dt.timedelta(days=40)), django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders()["evaluation_reminders"] == 1
    assert Notification.objects.filter(user=cast.mentee.user, kind="evaluation", delivery="digest").count() == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_r18_staff_publish_a_new_instrument_version_and_old_answers_keep_theirs(cast):
    mentor = mt.mentor_profile(cast.mentor)
    rel = mt.relationship(cast.mentee, mentor, started_at=timezone.now() - dt.timedelta(days=200))
    old = services.evaluation_submit(
        acting=Actor.for_membership(cast.mentee), relationship_id=rel.pk, answers=answers()
    )
    instrument = Instrument.objects.get(kind="mentor_evaluation")
    client = cast.client_for(cast.staff)
    response = client.post(
        reverse("evaluations:instrument", args=[instrument.pk]),
        {
            "intro": "Rate your mentor.",
            "items": "scale | time | Answering promptly\noverall | overall | Overall",
            "note": "Short",
        },
    )
    assert response.status_code == 302
    instrument.refresh_from_db()
    assert instrument.current_version.number == 2 and len(instrument.current_version.items) == 2
    old.refresh_from_db()
    assert old.version.number == 1
    assert AuditEntry.objects.filter(action="instrument.publish").exists()
    with pytest.raises(ValidationError):
        services.parse_items("rating | x | Bad type")


@pytest.mark.django_db
def test_r19_surveys_fall_due_yearly(cast):
    joined = cast.mentee.created_at
    with time_machine.travel(joined + dt.timedelta(days=100)):
        assert selectors.open_surveys(membership=cast.mentee) == []
    with time_machine.travel(joined + dt.timedelta(days=190)):
        assert [s.instrument.kind for s in selectors.open_surveys(membership=cast.mentee)] == ["program_feedback"]
    with time_machine.travel(joined + dt.timedelta(days=370)):
        kinds = [s.instrument.kind for s in selectors.open_surveys(membership=cast.mentee)]
        assert kinds == ["career_update", "program_feedback"]
        services.survey_submit(
            acting=Actor.for_membership(cast.mentee),
            kind="career_update",
            answers={"stage": "Residency", "matched": "yes", "appointment": "no", "publications": 2, "helped": 6},
        )
        assert [s.instrument.kind for s in selectors.open_surveys(membership=cast.mentee)] == ["program_feedback"]


@pytest.mark.django_db(transaction=True)
def test_r20_an_ended_mentee_membership_invites_the_graduate_to_mentor_once(cast):
    from django.db.models.signals import post_save

    from mentormemed.institutions.models import Membership
    from mentormemed.institutions.services import membership_set_status

    membership = cast.mentee
    # Issue 12: the service that ends the membership makes the offer, not a post_save hook (which a
    # queryset .update() would bypass); no code path ends a membership as graduated with .update().
    post_save.disconnect(sender=Membership, dispatch_uid="evaluations.graduate_offer")  # the old hook, if any
    membership_set_status(
        acting=Actor.for_user(cast.admin.user), membership=membership, status="ended", end_reason="graduated"
    )
    from mentormemed.evaluations.services import offer_mentorship_to_graduate

    offer_mentorship_to_graduate(membership=Membership.objects.get(pk=membership.pk))  # a second go sends nothing
    assert MentorInvitationOffer.objects.filter(membership=membership).count() == 1
    [message] = [m for m in mail.outbox if m.to == [membership.user.email]]
    token = services.graduate_token(membership)
    url = reverse("evaluations:graduate", args=[token])
    client = cast.client_for(None)
    assert client.get(url).status_code == 200
    client.post(url, {"action": "mentor"})
    assert MentorInvitationOffer.objects.get(membership=membership).interested_at is not None
    assert Notification.objects.filter(user=cast.admin.user, kind="graduate_mentor").exists()
    assert client.get(reverse("evaluations:graduate", args=["forged"])).status_code == 404


@pytest.mark.django_db
def test_r20_the_graduate_offer_is_written_with_the_membership_change_and_goes_with_a_rollback(cast):
    """Issue 12: the offer and its e-mail (in the outbox) are in the transaction that ends the
    membership, so a crash right after commit cannot lose them (an after-commit callback could)."""
    from django.db import transaction

    from mentormemed.institutions.models import Membership
    from mentormemed.institutions.services import membership_set_status
    from mentormemed.notifications.models import OutgoingEmail

    membership = cast.mentee
    with pytest.raises(RuntimeError, match="crash"), transaction.atomic():
        membership_set_status(
            acting=Actor.for_user(cast.admin.user), membership=membership, status="ended", end_reason="graduated"
        )
        assert MentorInvitationOffer.objects.filter(membership=membership).exists()  # before commit
        assert [membership.user.email] in OutgoingEmail.objects.values_list("to", flat=True)
        raise RuntimeError("crash before commit")
    assert not MentorInvitationOffer.objects.filter(membership=membership).exists()
    assert [membership.user.email] not in OutgoingEmail.objects.values_list("to", flat=True)
    assert Membership.objects.get(pk=membership.pk).status == "active"


@pytest.mark.django_db(transaction=True)
def test_r20_a_mentee_who_left_is_not_invited_to_mentor(cast):
    from mentormemed.institutions.services import membership_set_status

    membership_set_status(
        acting=Actor.for_user(cast.admin.user), membership=cast.mentee, status="ended", end_reason="left"
    )
    assert not MentorInvitationOffer.objects.filter(membership=cast.mentee).exists()
    assert not [m for m in mail.outbox if m.to == [cast.mentee.user.email]]


def test_r18_submitted_evaluations_are_named_like_due_ones():
    today = dt.date(2026, 6, 1)
    assert Evaluation(occasion="periodic", sequence=2, due_on=today).label == "12-month evaluation"
    assert Evaluation(occasion="exit", sequence=0, due_on=today).label == "End of mentorship"


def test_r18_overall_ratings_are_not_anchored_as_skills():
    from mentormemed.evaluations.forms import ResponseForm

    class Version:
        items = [
            {"key": "listens", "type": "scale", "text": "Listens actively"},
            {"key": "overall", "type": "overall", "text": "Overall, how would you rate this mentor?"},
            {"key": "recommend", "type": "overall", "text": "Recommend?", "anchors": {"1": "Not at all likely"}},
        ]

    form = ResponseForm(version=Version())
    assert dict(form.fields["listens"].choices)[1] == "1 — Not at all skilled"
    assert dict(form.fields["overall"].choices)[1] == "1 — Very poor"
    assert dict(form.fields["overall"].choices)[7] == "7 — Excellent"
    assert dict(form.fields["recommend"].choices)[1] == "1 — Not at all likely"
