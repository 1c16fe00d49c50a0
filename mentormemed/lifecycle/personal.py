"""A person's own data (their right of access): everything the platform holds about them that
is theirs to see. Single evaluations about a mentor stay aggregate (R18): a mentor's export
holds the evaluations they wrote, never those written about them."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentormemed.lifecycle.catalogue import Dataset, _when


def _account(user) -> Iterator[list]:
    yield [
        user.email,
        user.first_name,
        user.last_name,
        user.preferred_name,
        user.pronouns,
        user.time_zone,
        _when(user.date_joined),
        _when(user.last_login),
    ]


def _memberships(user) -> Iterator[list]:
    for m in user.memberships.select_related("institution").order_by("pk"):
        yield [m.pk, m.institution.name, m.role, m.status, _when(m.created_at), _when(m.ended_at), m.end_reason]


def _identity(user) -> Iterator[list]:
    from mentormemed.profiles.models import IdentityValue

    for v in IdentityValue.objects.filter(membership__user=user).select_related("option__dimension").order_by("pk"):
        yield [v.membership_id, v.option.dimension.name, v.option.name, v.write_in, "shared" if v.shared else "private"]


def _profiles(user) -> Iterator[list]:
    from mentormemed.profiles.models import MenteeProfile, MentorProfile

    for p in MenteeProfile.objects.filter(membership__user=user):
        yield [
            p.membership_id,
            "mentee",
            p.training_level,
            p.bio,
            p.phone,
            f"matching={p.consent_matching}; analytics={p.consent_analytics}; research={p.consent_research}",
        ]
    for p in MentorProfile.objects.filter(membership__user=user):
        yield [p.membership_id, "mentor", p.title, p.bio, "", f"searchable={p.search_consent}; scope={p.scope}"]


def _relationships_of(user):
    from mentormemed.mentorships.models import Relationship

    return Relationship.objects.filter(Q(mentee__user=user) | Q(mentor__membership__user=user))


def _requests(user) -> Iterator[list]:
    from mentormemed.mentorships.models import MentorshipRequest

    rows = MentorshipRequest.objects.filter(Q(mentee__user=user) | Q(mentor__membership__user=user)).select_related(
        "mentee__user", "mentor__membership__user"
    )
    for r in rows.order_by("pk"):
        yield [
            r.pk,
            r.mentee.user.display_name,
            r.mentor.membership.user.display_name,
            r.state,
            _when(r.created_at),
            _when(r.responded_at),
            r.message,
            r.response_message,
        ]


def _relationships(user) -> Iterator[list]:
    for r in _relationships_of(user).select_related("mentee__user", "mentor__membership__user").order_by("pk"):
        yield [
            r.pk,
            r.mentee.user.display_name,
            r.mentor.membership.user.display_name,
            r.stage,
            _when(r.started_at),
            _when(r.ended_at),
            r.end_reason,
            r.end_note,
        ]


def _messages(user) -> Iterator[list]:
    from mentormemed.mentorships.models import Message

    rows = Message.objects.filter(relationship__in=_relationships_of(user)).select_related("sender")
    for m in rows.order_by("relationship_id", "created_at", "pk"):
        yield [m.relationship_id, _when(m.created_at), m.sender.display_name if m.sender_id else "", m.body]


def _goals(user) -> Iterator[list]:
    from mentormemed.mentorships.models import Goal

    for g in Goal.objects.filter(relationship__in=_relationships_of(user)).order_by("pk"):
        yield [g.relationship_id, g.text, g.progress, _when(g.created_at)]


def _meetings(user) -> Iterator[list]:
    from mentormemed.scheduling.models import Meeting

    for m in Meeting.objects.filter(relationship__in=_relationships_of(user)).order_by("starts_at", "pk"):
        yield [m.pk, m.relationship_id, _when(m.starts_at), _when(m.ends_at), m.status, m.agenda, m.notes]


def _evaluations(user) -> Iterator[list]:
    from mentormemed.evaluations.models import Evaluation, SurveyResponse

    for e in Evaluation.objects.filter(mentee__user=user, submitted_at__isnull=False).order_by("pk"):
        yield ["evaluation", e.relationship_id, e.occasion, _when(e.submitted_at), json.dumps(e.answers)]
    for s in SurveyResponse.objects.filter(membership__user=user).select_related("instrument").order_by("pk"):
        yield [s.instrument.kind, "", s.occasion, _when(s.submitted_at), json.dumps(s.answers)]


def _training(user) -> Iterator[list]:
    from mentormemed.training.models import CmeClaim, Completion

    for c in Completion.objects.filter(membership__user=user).select_related("version__module").order_by("pk"):
        yield [c.version.module.title, c.version.version, _when(c.attested_at), "", "", ""]
    for c in CmeClaim.objects.filter(membership__user=user).select_related("version__module").order_by("pk"):
        yield [
            c.version.module.title,
            c.version.version,
            _when(c.completed_on),
            c.credits,
            c.certificate_number,
            f"npi={c.npi}; licence={c.licence_state} {c.licence_number}; board={c.board_id}",
        ]


def _notifications(user) -> Iterator[list]:
    from mentormemed.notifications.models import Notification

    for n in Notification.objects.filter(user=user).order_by("created_at", "pk"):
        yield [_when(n.created_at), n.kind, n.title, n.body]


def _agreements(user) -> Iterator[list]:
    from mentormemed.accounts.models import AgreementAcceptance

    for a in AgreementAcceptance.objects.filter(user=user).select_related("agreement").order_by("pk"):
        yield [a.agreement.title, a.agreement.version, _when(a.accepted_at)]


PERSON_NOT_INCLUDED = (
    _("Single evaluations written about you as a mentor: you see them in aggregate on your feedback page."),
    _("Reports about you and their handling: ask the institution's duty-of-care contact."),
)
REL = ("relationship_id", _("The mentorship (relationships.csv)"))
PERSON_DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "account",
        _("Your account"),
        _("Sign-in and name."),
        (
            ("email", _("E-mail address")),
            ("first_name", _("First name")),
            ("last_name", _("Last name")),
            ("preferred_name", _("Preferred name")),
            ("pronouns", _("Pronouns")),
            ("time_zone", _("Time zone")),
            ("joined", _("Account created")),
            ("last_login", _("Last sign-in")),
        ),
        _account,
    ),
    Dataset(
        "memberships",
        _("Your memberships"),
        _("Each institution and role."),
        (
            ("member_id", _("Membership id")),
            ("institution", _("Institution")),
            ("role", _("Role")),
            ("status", _("Status")),
            ("joined_at", _("Joined")),
            ("ended_at", _("Ended")),
            ("end_reason", _("Why it ended")),
        ),
        _memberships,
    ),
    Dataset(
        "identity",
        _("Your identity characteristics"),
        _("Every value you described, shared or private."),
        (
            ("member_id", _("Membership id")),
            ("characteristic", _("Characteristic")),
            ("answer", _("Answer")),
            ("write_in", _("Your words")),
            ("visibility", _("shared or private")),
        ),
        _identity,
    ),
    Dataset(
        "profiles",
        _("Your profiles"),
        _("Mentee and mentor profiles."),
        (
            ("member_id", _("Membership id")),
            ("kind", _("mentee or mentor")),
            ("level_or_title", _("Training level or title")),
            ("bio", _("Introduction")),
            ("phone", _("Phone")),
            ("settings", _("Consents and search settings")),
        ),
        _profiles,
    ),
    Dataset(
        "requests",
        _("Mentorship requests"),
        _("Requests you sent or received, with their messages."),
        (
            ("request_id", _("Request id")),
            ("mentee", _("Mentee")),
            ("mentor", _("Mentor")),
            ("state", _("State")),
            ("sent", _("Sent")),
            ("answered", _("Answered")),
            ("message", _("Request message")),
            ("response", _("Answer message")),
        ),
        _requests,
    ),
    Dataset(
        "relationships",
        _("Mentorships"),
        _("Your mentorships."),
        (
            REL,
            ("mentee", _("Mentee")),
            ("mentor", _("Mentor")),
            ("stage", _("Stage")),
            ("started", _("Started")),
            ("ended", _("Ended")),
            ("end_reason", _("Why it ended")),
            ("end_note", _("Closing note")),
        ),
        _relationships,
    ),
    Dataset(
        "messages",
        _("Messages"),
        _("Messages in your mentorships, both sides."),
        (REL, ("sent", _("Sent")), ("from", _("From")), ("body", _("Message"))),
        _messages,
    ),
    Dataset(
        "goals",
        _("Goals"),
        _("Goals of your mentorships."),
        (REL, ("goal", _("Goal")), ("progress", _("Progress (per cent)")), ("created", _("Added"))),
        _goals,
    ),
    Dataset(
        "meetings",
        _("Meetings"),
        _("Meetings with agenda and notes."),
        (
            ("meeting_id", _("Meeting id")),
            REL,
            ("starts", _("Start (UTC)")),
            ("ends", _("End (UTC)")),
            ("status", _("Status")),
            ("agenda", _("Agenda")),
            ("notes", _("Notes")),
        ),
        _meetings,
    ),
    Dataset(
        "evaluations_and_surveys",
        _("Evaluations and surveys you answered"),
        _("Your own answers."),
        (
            ("kind", _("Evaluation or survey kind")),
            REL,
            ("occasion", _("Occasion")),
            ("submitted", _("Submitted")),
            ("answers", _("Answers (JSON)")),
        ),
        _evaluations,
    ),
    Dataset(
        "training",
        _("Training and CME"),
        _("Modules completed and CME credit claimed."),
        (
            ("module", _("Module")),
            ("version", _("Version")),
            ("date", _("Attested or completed")),
            ("credits", _("CME credits")),
            ("certificate", _("Certificate number")),
            ("identifiers", _("Identifiers given for the claim")),
        ),
        _training,
    ),
    Dataset(
        "notifications",
        _("Notifications"),
        _("What we told you."),
        (("at", _("When")), ("kind", _("Kind")), ("title", _("Title")), ("body", _("Text"))),
        _notifications,
    ),
    Dataset(
        "agreements",
        _("Agreements accepted"),
        _("Versions and times."),
        (("agreement", _("Agreement")), ("version", _("Version")), ("accepted_at", _("Accepted"))),
        _agreements,
    ),
)
