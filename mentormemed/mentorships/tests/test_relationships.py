"""R14 network, R15 stages/end/sponsor, R16 messages, R30 compact and goals — and who may read them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.mentorships import services, testing
from mentormemed.mentorships.models import Message
from mentormemed.notifications.models import Notification
from mentormemed.profiles.models import MentorProfile


@pytest.fixture
def rel(pair):
    return testing.relationship(pair.mentee, pair.mentor, areas=("research",))


def test_r14_network_shows_each_mentors_covered_needs_and_uncovered_with_suggestions(pair, rel):
    cast = pair.cast
    second = testing.new_member(cast.inst_a, "mentor", "second@alpha.edu", areas=("residency_applications",))
    testing.relationship(pair.mentee, MentorProfile.objects.get(membership=second), areas=("residency_applications",))
    helper = testing.new_member(cast.inst_a, "mentor", "wellness@alpha.edu", areas=("mental_health_wellness",))
    page = cast.client_for(pair.mentee).get(reverse("mentorships:network"))
    network = page.context["network"]
    covers = {row.relationship.mentor.membership.user.email: [a.key for a in row.covers] for row in network.rows}
    assert covers["mentor@alpha.edu"] == ["residency_applications", "research"]  # offers both
    assert covers["second@alpha.edu"] == ["residency_applications"]
    assert [a.key for a in network.uncovered] == ["mental_health_wellness"]
    assert [s.mentor.membership_id for s in network.suggestions] == [helper.pk]
    assert reverse("mentorships:request_new", args=[network.suggestions[0].mentor.pk]).encode() in page.content


def test_r14_network_page_query_count_is_bounded(pair, rel, django_assert_max_num_queries):
    client = pair.cast.client_for(pair.mentee)
    for i in range(3):
        other = testing.new_member(pair.cast.inst_a, "mentor", f"q{i}@alpha.edu")
        testing.relationship(pair.mentee, MentorProfile.objects.get(membership=other))
    with django_assert_max_num_queries(60):
        assert client.get(reverse("mentorships:network")).status_code == 200


def test_r12_r28_inbox_query_count_is_bounded(pair, django_assert_max_num_queries):
    for i in range(6):
        testing.pending_request(testing.new_member(pair.cast.inst_a, "mentee", f"i{i}@alpha.edu"), pair.mentor)
    client = pair.cast.client_for(pair.cast.mentor)
    with django_assert_max_num_queries(45):
        assert client.get(reverse("mentorships:inbox")).status_code == 200


def test_r15_either_side_ends_with_a_reason_and_the_other_is_told(pair, rel, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="reason"):
        services.relationship_end(acting=Actor.for_user(pair.mentee.user), relationship=rel, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.relationship_end(
            acting=Actor.for_user(pair.mentee.user), relationship=rel, reason="goals_met", note="Thank you!"
        )
    rel.refresh_from_db()
    assert rel.ended_by == pair.mentee.user and rel.end_reason == "goals_met" and rel.stage == "separation"
    told = Notification.objects.get(user=pair.cast.mentor.user, kind="relationship")
    assert "ended your mentorship" in told.title and "We reached our goals" in told.body
    assert mail.outbox == []  # "relationship" news defaults to the daily digest (R31)
    with pytest.raises(ValidationError, match="already ended"):
        services.relationship_end(acting=Actor.for_user(pair.cast.mentor.user), relationship=rel, reason="other")
    assert MentorProfile.objects.get(pk=pair.mentor.pk).active_mentee_count == 0


def test_r15_stages_only_move_forward(pair, rel):
    with pytest.raises(ValidationError):
        services.relationship_advance(acting=Actor.for_user(pair.mentee.user), relationship=rel, stage="redefinition")
    services.relationship_advance(acting=Actor.for_user(pair.mentee.user), relationship=rel, stage="cultivation")
    with pytest.raises(ValidationError, match="forward"):
        services.relationship_advance(acting=Actor.for_user(pair.mentee.user), relationship=rel, stage="initiation")
    services.relationship_end(acting=Actor.for_user(pair.mentee.user), relationship=rel, reason="moved_on")
    rel.refresh_from_db()
    services.relationship_advance(acting=Actor.for_user(pair.cast.mentor.user), relationship=rel, stage="redefinition")
    rel.refresh_from_db()
    assert rel.stage == "redefinition"
    services.message_send(
        acting=Actor.for_user(pair.mentee.user), relationship=rel, body="Colleagues now — coffee at the conference?"
    )


def test_r15_only_the_mentor_marks_sponsorship(pair, rel):
    with pytest.raises(ValidationError, match="Only the mentor"):
        services.relationship_set_sponsor(acting=Actor.for_user(pair.mentee.user), relationship=rel, is_sponsor=True)
    pair.cast.client_for(pair.cast.mentor).post(reverse("mentorships:sponsor", args=[rel.pk]), {"is_sponsor": "1"})
    rel.refresh_from_db()
    assert rel.is_sponsor


def test_r30_compact_needs_both_confirmations_and_goals_track_progress(pair, rel):
    mentee_client = pair.cast.client_for(pair.mentee)
    mentee_client.post(
        reverse("mentorships:compact_save", args=[rel.pk]),
        {
            "expectations": "Answer within 3 days.",
            "meeting_rhythm": "Monthly, 45 minutes",
            "goals_text": "Abstract\nStep 2",
        },
    )
    rel.compact.refresh_from_db()
    assert rel.compact.mentee_confirmed_at and not rel.compact.is_confirmed
    services.compact_confirm(acting=Actor.for_user(pair.cast.mentor.user), relationship=rel)
    rel.compact.refresh_from_db()
    assert rel.compact.is_confirmed
    goal = rel.goals.get(text="Abstract")
    pair.cast.client_for(pair.cast.mentor).post(reverse("mentorships:goal_progress", args=[goal.pk]), {"progress": 60})
    goal.refresh_from_db()
    assert goal.progress == 60
    with pytest.raises(ValidationError):
        services.goal_progress(acting=Actor.for_user(pair.mentee.user), goal=goal, progress=101)
    # Editing the compact asks the other side to confirm again.
    services.compact_save(
        acting=Actor.for_user(pair.cast.mentor.user), relationship=rel, expectations="x", meeting_rhythm="Weekly"
    )
    rel.compact.refresh_from_db()
    assert rel.compact.mentor_confirmed_at and not rel.compact.mentee_confirmed_at


def test_r16_message_reaches_the_other_side_by_email_with_a_link_not_the_text(
    pair, rel, django_capture_on_commit_callbacks
):
    secret = "My grandmother is sick and I am struggling with Step 1."
    with django_capture_on_commit_callbacks(execute=True):
        pair.cast.client_for(pair.mentee).post(reverse("mentorships:message_send", args=[rel.pk]), {"body": secret})
    assert Message.objects.get().body == secret
    assert [m.to for m in mail.outbox] == [["mentor@alpha.edu"]]
    email = mail.outbox[0]
    assert reverse("mentorships:relationship", args=[rel.pk]) in email.body
    assert secret not in email.body and secret not in email.alternatives[0][0]
    page = pair.cast.client_for(pair.cast.mentor).get(reverse("mentorships:relationship", args=[rel.pk]))
    assert secret.encode() in page.content


def test_r16_htmx_message_returns_the_thread(pair, rel):
    response = pair.cast.client_for(pair.mentee).post(
        reverse("mentorships:message_send", args=[rel.pk]), {"body": "Hello!"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b'id="thread"' in response.content and b"Hello!" in response.content


def test_r30_admins_staff_and_other_members_never_read_messages_or_goals(pair, rel):
    services.message_send(acting=Actor.for_user(pair.mentee.user), relationship=rel, body="Private words")
    cast = pair.cast
    url = reverse("mentorships:relationship", args=[rel.pk])
    assert cast.client_for(cast.admin).get(url).status_code == 403
    assert cast.client_for(cast.staff).get(url).status_code == 403
    assert cast.client_for(cast.mentee_b).get(url).status_code == 404
    classmate = testing.new_member(cast.inst_a, "mentee", "classmate@alpha.edu")
    assert cast.client_for(classmate).get(url).status_code == 404
    colleague = testing.new_member(cast.inst_a, "mentor", "colleague@alpha.edu")
    assert cast.client_for(colleague).get(url).status_code == 404
    assert (
        cast.client_for(colleague).post(reverse("mentorships:message_send", args=[rel.pk]), {"body": "x"}).status_code
        == 404
    )
    with pytest.raises(ValidationError):
        services.message_send(acting=Actor.for_user(cast.admin.user), relationship=rel, body="Hello")


def test_r30_relationship_recorded_without_a_compact_still_opens(pair, rel):
    """Imported or older relationships may have no compact row: the page shows an unwritten one."""
    from mentormemed.mentorships.models import Compact

    Compact.objects.filter(relationship=rel).delete()
    page = pair.cast.client_for(pair.mentee).get(reverse("mentorships:relationship", args=[rel.pk]))
    assert page.status_code == 200
    assert b"Write the compact" in page.content


def test_relationship_page_labels_each_note_field_once(pair, rel):
    """The check-in and the end form both have a note; each label points at its own field."""
    page = pair.cast.client_for(pair.mentee).get(reverse("mentorships:relationship", args=[rel.pk]))
    html = page.content.decode()
    assert html.count('id="id_note"') == 0
    assert 'for="id_end_note"' in html and 'id="id_end_note"' in html


def test_r13_mentor_page_offers_the_mentorship_not_a_new_request_to_a_current_mentor(pair, rel):
    client = pair.cast.client_for(pair.mentee)
    page = client.get(reverse("matching:mentor", args=[pair.mentor.pk]))
    assert page.status_code == 200
    assert reverse("mentorships:relationship", args=[rel.pk]).encode() in page.content
    assert reverse("mentorships:request_new", args=[pair.mentor.pk]).encode() not in page.content


def test_r15_advance_from_a_stale_copy_loses_clearly_and_changes_nothing(pair, rel):
    """Issue 12: the conditional UPDATE of relationship_advance is checked — the second of two
    concurrent moves (a copy read before the first) gets a clear error and the stage stays."""
    from mentormemed.mentorships.models import Relationship

    stale = Relationship.objects.get(pk=rel.pk)
    services.relationship_advance(acting=Actor.for_user(pair.mentee.user), relationship=rel, stage="cultivation")
    with pytest.raises(ValidationError, match="changed while you were looking"):
        services.relationship_advance(
            acting=Actor.for_user(pair.cast.mentor.user), relationship=stale, stage="cultivation"
        )
    assert stale.stage == "initiation"  # the loser's copy is not told it won
    assert Relationship.objects.get(pk=rel.pk).stage == "cultivation"
