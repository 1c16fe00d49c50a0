"""Programs (R34) and group formats (R35).

A *program* is an institution's cohort: an audience, an enrolment window, a milestone
template counted from the match date and its own required training (R7 per program).
A *matching round* proposes one mentor per enrolled mentee (an optimiser, ``solver``);
the admin reviews, locks or swaps pairs and publishes: every pair then gets an
*introduction* both sides accept or decline. A relationship opens only through the
mentorships services, under their cap lock (R12).

Group formats — circles, one-off sessions (office hours), speed-mentoring events and
questions to the network — count toward the mentor's participation record (R24) and
never toward the cap of three individual mentees (R35).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JoinMode(models.TextChoices):
    INVITE = "invite", _("By invitation of the program office")
    OPEN = "open", _("Open: eligible people opt in")


class MentorReach(models.TextChoices):
    LOCAL = "local", _("Our institution's mentors")
    NATIONAL = "national", _("Our mentors and national-scope mentors of the network")


class Program(models.Model):
    # An institution's program, or (``national``, no institution) one that staff run across the network.
    institution = models.ForeignKey(
        "institutions.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="programs"
    )
    national = models.BooleanField(default=False)
    # A national program's chosen institutions (empty: mentees of every subscribing institution).
    institutions = models.ManyToManyField("institutions.Institution", blank=True, related_name="+")
    name = models.CharField(max_length=150)
    description = models.TextField(max_length=2000, blank=True)
    template_key = models.CharField(max_length=40, blank=True)
    # Training levels of the mentees the program is for (empty: every level).
    audience_levels = models.JSONField(default=list, blank=True)
    mentor_reach = models.CharField(max_length=10, choices=MentorReach.choices, default=MentorReach.LOCAL)
    join_mode = models.CharField(max_length=10, choices=JoinMode.choices, default=JoinMode.OPEN)
    enrol_opens = models.DateField()
    enrol_closes = models.DateField()
    circle_size = models.PositiveSmallIntegerField(default=6, help_text=_("Most mentees in one circle"))
    fairness = models.FloatField(default=1.0, help_text=_("Weight of spreading load across mentors (R27)"))
    allow_near_peer = models.BooleanField(
        default=False, help_text=_("Senior learners who also hold a mentor role may mentor juniors")
    )
    required_modules = models.ManyToManyField("training.Module", blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-enrol_opens", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(enrol_closes__gte=F("enrol_opens")), name="program_window_ordered"),
            models.CheckConstraint(condition=Q(circle_size__gte=2, circle_size__lte=20), name="program_circle_size"),
            models.CheckConstraint(condition=Q(fairness__gte=0, fairness__lte=10), name="program_fairness_range"),
            # Exactly one owner: an institution, or the network (staff) for a national program,
            # whose mentors are national-scope mentors by definition.
            models.CheckConstraint(
                condition=Q(national=True, institution__isnull=True, mentor_reach="national")
                | Q(national=False, institution__isnull=False),
                name="program_owner_institution_or_national",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open(self, today) -> bool:
        return self.enrol_opens <= today <= self.enrol_closes


class Milestone(models.Model):
    """A step of the program's template, due ``offset_days`` after the match date."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=150)
    detail = models.CharField(max_length=300, blank=True)
    offset_days = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["offset_days", "id"]

    def __str__(self) -> str:
        return self.title


class EnrolmentStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Enrolment(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrolments")
    membership = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="enrolments")
    role = models.CharField(max_length=10)  # the membership's role, copied for counts
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.INVITED)
    invited_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "membership"], name="enrolment_once_per_program")]
        indexes = [models.Index(fields=["program", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.membership} in {self.program}"


class Preference(models.Model):
    """A mentee's wish about one program mentor: prefer, or never propose (exclusion)."""

    class Kind(models.TextChoices):
        PREFER = "prefer", _("I would like this mentor")
        AVOID = "avoid", _("Please do not match me with this mentor")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="preferences")
    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "mentor"], name="preference_once_per_mentor")]


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Proposal under review")
    PUBLISHED = "published", _("Published: introductions sent")


class MatchingRound(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rounds")
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    solved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    objective = models.FloatField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["program"], condition=Q(status="draft"), name="round_one_draft_per_program")
        ]

    def __str__(self) -> str:
        return f"Matching round #{self.pk} of {self.program}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    INTRODUCED = "introduced", _("Introduced: waiting for both answers")
    MATCHED = "matched", _("Matched: both accepted")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("Could not open (the mentor became full or unavailable)")


LIVE_PROPOSALS = (ProposalStatus.PROPOSED, ProposalStatus.INTRODUCED, ProposalStatus.MATCHED)


class Answer(models.TextChoices):
    NONE = "", _("Not yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Proposal(models.Model):
    """One proposed pair of a round; after publishing, the introduction both sides answer."""

    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)  # codes and facts (``matching.reasons``); older rows: English text
    areas = models.ManyToManyField("profiles.ContentArea", blank=True, related_name="+")
    locked = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    mentee_answer = models.CharField(max_length=10, choices=Answer.choices, blank=True, default=Answer.NONE)
    mentor_answer = models.CharField(max_length=10, choices=Answer.choices, blank=True, default=Answer.NONE)
    mentee_answered_at = models.DateTimeField(null=True, blank=True)
    mentor_answered_at = models.DateTimeField(null=True, blank=True)
    introduced_at = models.DateTimeField(null=True, blank=True)
    request = models.OneToOneField(
        "mentorships.MentorshipRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    relationship = models.OneToOneField(
        "mentorships.Relationship", null=True, blank=True, on_delete=models.SET_NULL, related_name="program_match"
    )
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "mentee"],
                condition=Q(status__in=["proposed", "introduced", "matched"]),
                name="proposal_one_live_per_mentee",
            ),
        ]
        indexes = [models.Index(fields=["mentor", "status"])]

    def __str__(self) -> str:
        return f"Proposal #{self.pk} ({self.status})"

    @property
    def reason_texts(self) -> list[str]:
        """The reasons worded in the reader's (active) language."""
        from mentormemed.matching.reasons import worded

        return worded(self.reasons)


class MilestoneProgress(models.Model):
    """A milestone of one program relationship: reminded once, marked done by either side."""

    relationship = models.ForeignKey("mentorships.Relationship", on_delete=models.CASCADE, related_name="+")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="progress")
    reminded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["relationship", "milestone"], name="milestone_progress_once"),
        ]


# ------------------------------------------------------------------------- circles


class Circle(models.Model):
    """1–2 facilitating mentors with a few mentees: a thread, group meetings, group goals."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="circles")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="circles")
    name = models.CharField(max_length=150)
    topic = models.CharField(max_length=300, blank=True)
    max_mentees = models.PositiveSmallIntegerField(default=6)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_mentees__gte=2, max_mentees__lte=20), name="circle_size_range")
        ]

    def __str__(self) -> str:
        return self.name


class CircleRole(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    MEMBER = "member", _("Member")


class CircleMember(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="circle_seats")
    role = models.CharField(max_length=12, choices=CircleRole.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["role", "joined_at", "id"]  # facilitators first
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "membership"], condition=Q(left_at__isnull=True), name="circle_member_once"
            )
        ]


class CircleMessage(models.Model):
    """The circle's shared thread: only its members read it (R30)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class CircleGoal(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=300)
    progress = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="circle_goal_progress_0_100")]


class GroupMeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class CircleMeeting(models.Model):
    """A group meeting: one iCalendar object (one UID) with every member as an ATTENDEE."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="meetings")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    agenda = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=GroupMeetingStatus.choices, default=GroupMeetingStatus.SCHEDULED)
    sequence = models.PositiveIntegerField(default=0)
    video_url = models.URLField(max_length=500, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="circle_meeting_order")]

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


# ------------------------------------------------------------ one-off sessions, events


class OfficeHours(models.Model):
    """A bounded one-off session a mentor offers (e.g. 30 minutes of office hours) with a few seats."""

    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="office_hours")
    title = models.CharField(max_length=150)
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=30)
    seats = models.PositiveSmallIntegerField(default=1)
    video_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=10, minutes__lte=120), name="office_hours_length"),
            models.CheckConstraint(condition=Q(seats__gte=1, seats__lte=30), name="office_hours_seats"),
        ]

    def __str__(self) -> str:
        return self.title


class SessionBooking(models.Model):
    session = models.ForeignKey(OfficeHours, on_delete=models.CASCADE, related_name="bookings")
    mentee = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="+")
    booked_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "mentee"], condition=Q(cancelled_at__isnull=True), name="session_booking_once"
            )
        ]


class SpeedEvent(models.Model):
    """A speed-mentoring event: rounds of short meetings, each mentee meets each mentor once."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    name = models.CharField(max_length=150)
    starts_at = models.DateTimeField()
    round_minutes = models.PositiveSmallIntegerField(default=10)
    break_minutes = models.PositiveSmallIntegerField(default=2)
    place = models.CharField(max_length=300, blank=True)
    # Not a field: the end of the last round, set by group_selectors.events_with_span.
    ends_at: dt.datetime
    scheduled_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the rotation was generated and booked")
    )
    sequence = models.PositiveIntegerField(default=0, help_text=_("Raised each time the schedule is sent again"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(round_minutes__gte=3, round_minutes__lte=60), name="event_round_length"),
            models.CheckConstraint(condition=Q(break_minutes__lte=30), name="event_break_length"),
        ]

    def __str__(self) -> str:
        return self.name


class EventParticipant(models.Model):
    event = models.ForeignKey(SpeedEvent, on_delete=models.CASCADE, related_name="participants")
    membership = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10)

    class Meta:
        ordering = ["role", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "membership"], name="event_participant_once")]


class EventSlot(models.Model):
    """One short meeting of the rotation. The database refuses a double booking and a repeated pair."""

    event = models.ForeignKey(SpeedEvent, on_delete=models.CASCADE, related_name="slots")
    round_no = models.PositiveSmallIntegerField()
    mentor = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="+")
    table = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["round_no", "table"]
        constraints = [
            models.UniqueConstraint(fields=["event", "round_no", "mentor"], name="event_slot_mentor_once_per_round"),
            models.UniqueConstraint(fields=["event", "round_no", "mentee"], name="event_slot_mentee_once_per_round"),
            models.UniqueConstraint(fields=["event", "mentor", "mentee"], name="event_slot_pair_once"),
        ]


# ------------------------------------------------------------------ ask the network


class Question(models.Model):
    """A mentee's question to the mentors who offer its areas (local or national by the mentor's scope)."""

    asker = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="questions")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=3000)
    areas = models.ManyToManyField("profiles.ContentArea", related_name="+")
    share_with_institution = models.BooleanField(
        default=False, help_text=_("Other mentees of my institution may read the answers")
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["institution", "created_at"])]

    def __str__(self) -> str:
        return self.title


class NetworkAnswer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "mentor"], name="answer_once_per_mentor")]
