"""Pages for circles, one-off sessions, speed-mentoring events and questions to the network (R35)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import requires
from mentormemed.core.feedback import error_message
from mentormemed.core.timezones import zone_or_utc
from mentormemed.profiles.models import MentorProfile
from mentormemed.programs import group_selectors as gsel
from mentormemed.programs import group_services as gsvc
from mentormemed.programs.forms import (
    AnswerForm,
    BookForm,
    CircleForm,
    CircleSeatForm,
    EventForm,
    GoalForm,
    MessageForm,
    OfficeHoursForm,
    ProgressForm,
    QuestionForm,
    parse_slot,
)
from mentormemed.programs.models import CircleGoal, CircleRole, GroupMeetingStatus


def _mentor_profile(request) -> MentorProfile | None:
    membership = request.actor.membership
    if membership is None or membership.role != "mentor":
        return None
    return MentorProfile.objects.filter(membership=membership).select_related("membership").first()


# ------------------------------------------------------------------ circles (admin)


@requires("programs.manage")
@require_http_methods(["GET", "POST"])
def admin_circles(request):
    institution = request.actor.institution
    form = CircleForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            circle = gsvc.circle_create(
                acting=request.actor,
                name=data["name"],
                topic=data["topic"],
                max_mentees=data["max_mentees"],
                facilitators=list(data["facilitators"]),
                mentees=list(data["mentees"]),
                program=data["program"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, gettext("The circle “%(name)s” is formed; its members have been told.") % {"name": circle.name}
            )
            return redirect("programs:admin_circle", circle.pk)
    return render(
        request,
        "programs/admin_circles.html",
        {"circles": gsel.circles_of_institution(institution=institution), "form": form},
    )


@requires("programs.manage")
def admin_circle(request, pk: int, form: CircleSeatForm | None = None):
    circle = gsel.circle_for_admin_or_404(actor=request.actor, pk=pk)
    meetings = circle.meetings.all()
    return render(
        request,
        "programs/admin_circle.html",
        {
            "circle": circle,
            "seats": gsel.seats(circle),
            "held": meetings.filter(status=GroupMeetingStatus.HELD).count(),
            "scheduled": meetings.filter(status=GroupMeetingStatus.SCHEDULED).count(),
            "seat_form": form or CircleSeatForm(circle=circle),
        },
    )


@requires("programs.manage")
@require_POST
def admin_circle_seat_add(request, pk: int):
    circle = gsel.circle_for_admin_or_404(actor=request.actor, pk=pk)
    form = CircleSeatForm(request.POST, circle=circle)
    if not form.is_valid():
        return admin_circle(request, pk, form=form)
    try:
        seat = gsvc.circle_seat_add(acting=request.actor, circle=circle, membership=form.cleaned_data["membership"])
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(
            request,
            gettext("%(display_name)s is in the circle and has been told.")
            % {"display_name": seat.membership.user.display_name},
        )
    return redirect("programs:admin_circle", circle.pk)


@requires("programs.manage")
@require_POST
def admin_circle_seat_remove(request, pk: int):
    seat = gsel.seat_for_admin_or_404(actor=request.actor, pk=pk)
    try:
        gsvc.circle_seat_remove(acting=request.actor, seat=seat)
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(
            request,
            gettext("%(display_name)s has left the circle; their upcoming meetings are cancelled.")
            % {"display_name": seat.membership.user.display_name},
        )
    return redirect("programs:admin_circle", seat.circle_id)


# ---------------------------------------------------------------- circles (members)


@requires("circles")
def circles(request):
    return render(
        request, "programs/circles.html", {"circles": gsel.circles_of_member(membership=request.actor.membership)}
    )


@requires("circles")
def circle(request, pk: int):
    circle = gsel.circle_for_member_or_404(actor=request.actor, pk=pk)
    seats = gsel.seats(circle)
    me = next(s for s in seats if s.membership_id == request.actor.membership.pk)
    return render(
        request,
        "programs/circle.html",
        {
            "circle": circle,
            "seats": seats,
            "facilitating": me.role == CircleRole.FACILITATOR,
            "thread": circle.messages.select_related("sender"),
            "goals": circle.goals.all(),
            "meetings": circle.meetings.exclude(status=GroupMeetingStatus.CANCELLED),
            "message_form": MessageForm(),
            "goal_form": GoalForm(),
            "now": timezone.now(),
        },
    )


@requires("circles")
@require_POST
def circle_message(request, pk: int):
    circle = gsel.circle_for_member_or_404(actor=request.actor, pk=pk)
    form = MessageForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(gettext("Write a message first."))
        gsvc.circle_message_send(acting=request.actor, circle=circle, body=form.cleaned_data["body"])
    except ValidationError as exc:
        error_message(request, exc)
    return redirect("programs:circle", circle.pk)


@requires("circles")
@require_POST
def circle_goal_add(request, pk: int):
    circle = gsel.circle_for_member_or_404(actor=request.actor, pk=pk)
    form = GoalForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(gettext("Write the goal first."))
        gsvc.circle_goal_add(acting=request.actor, circle=circle, text=form.cleaned_data["text"])
    except ValidationError as exc:
        error_message(request, exc)
    return redirect("programs:circle", circle.pk)


@requires("circles")
@require_POST
def circle_goal_progress(request, pk: int):
    goal = (
        CircleGoal.objects.filter(pk=pk, circle__in=gsel.circles_of_member(membership=request.actor.membership))
        .select_related("circle")
        .first()
    )
    if goal is None:
        raise Http404
    form = ProgressForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(gettext("Progress is between 0 and 100 percent."))
        gsvc.circle_goal_progress(acting=request.actor, goal=goal, progress=form.cleaned_data["progress"])
    except ValidationError as exc:
        error_message(request, exc)
    return redirect("programs:circle", goal.circle_id)


def _length(request) -> int:
    try:
        length = int(request.GET.get("length") or request.POST.get("length") or 60)
    except ValueError:
        length = 60
    return length if length in gsvc.GROUP_LENGTHS else 60


@requires("circles")
@require_http_methods(["GET", "POST"])
def circle_book(request, pk: int):
    """Facilitators book (or move) a group meeting in a time every facilitator is free."""
    circle = gsel.circle_for_member_or_404(actor=request.actor, pk=pk)
    length = _length(request)
    zone = zone_or_utc(request.user.time_zone)
    slots = gsel.circle_slots(circle=circle, length=length)
    form = BookForm(request.POST or None, slots=slots, zone=zone)
    moving = circle.meetings.filter(
        pk=request.GET.get("move") or request.POST.get("move") or 0, status=GroupMeetingStatus.SCHEDULED
    ).first()
    if request.method == "POST":
        starts_at = parse_slot(request.POST.get("slot"))
        try:
            if starts_at is None:
                raise ValidationError(gettext("Choose one of the times offered."))
            if moving:
                gsvc.circle_meeting_move(acting=request.actor, meeting=moving, starts_at=starts_at)
                messages.success(request, gettext("Meeting moved; everyone gets the updated invite."))
            else:
                gsvc.circle_meeting_book(
                    acting=request.actor,
                    circle=circle,
                    starts_at=starts_at,
                    length=length,
                    agenda=request.POST.get("agenda", ""),
                )
                messages.success(request, gettext("Meeting booked; one invite went to everyone in the circle."))
        except ValidationError as exc:
            error_message(request, exc)
            return redirect("programs:circle_book", circle.pk)
        return redirect("programs:circle", circle.pk)
    return render(
        request,
        "programs/circle_book.html",
        {
            "circle": circle,
            "form": form,
            "length": length,
            "lengths": gsvc.GROUP_LENGTHS,
            "moving": moving,
            "slots": slots,
        },
    )


def _circle_meeting_action(request, pk: int, action, done: str):
    meeting = gsel.circle_meeting_for_or_404(actor=request.actor, pk=pk)
    try:
        action(acting=request.actor, meeting=meeting)
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, done)
    return redirect("programs:circle", meeting.circle_id)


@requires("circles")
@require_POST
def circle_meeting_cancel(request, pk: int):
    return _circle_meeting_action(request, pk, gsvc.circle_meeting_cancel, "Meeting cancelled; everyone is told.")


@requires("circles")
@require_POST
def circle_meeting_held(request, pk: int):
    return _circle_meeting_action(request, pk, gsvc.circle_meeting_held, "Marked as held.")


# ------------------------------------------------------------------ one-off sessions


@requires("sessions")
@require_http_methods(["GET", "POST"])
def sessions(request):
    membership = request.actor.membership
    mentor = _mentor_profile(request)
    if membership.role == "mentor":
        form = OfficeHoursForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if mentor is None:
                messages.error(request, gettext("Complete your mentor profile before offering sessions."))
            else:
                data = form.cleaned_data
                try:
                    gsvc.office_hours_offer(
                        acting=request.actor,
                        title=data["title"],
                        starts_at=data["starts_at"],
                        minutes=data["minutes"],
                        seats=data["seats"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, gettext("Session offered. Mentees who can find you can book a seat."))
                    return redirect("programs:sessions")
        offered = gsel.sessions_of_mentor(mentor=mentor) if mentor else []
        return render(request, "programs/sessions_mentor.html", {"form": form, "offered": offered})
    sessions = list(gsel.sessions_for_mentee(mentee=membership))
    mine = gsel.booked_session_ids(mentee=membership)
    return render(request, "programs/sessions_mentee.html", {"sessions": sessions, "mine": mine})


def _session_action(request, pk: int, action, done: str):
    session = gsel.session_for_mentee_or_404(mentee=request.actor.membership, pk=pk)
    try:
        action(acting=request.actor, session=session)
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, done)
    return redirect("programs:sessions")


@requires("sessions.book")
@require_POST
def session_book(request, pk: int):
    return _session_action(request, pk, gsvc.session_book, "Seat booked.")


@requires("sessions.book")
@require_POST
def session_cancel(request, pk: int):
    return _session_action(request, pk, gsvc.session_cancel_booking, "Your seat is released.")


# --------------------------------------------------------------------------- events


@requires("programs.manage")
@require_http_methods(["GET", "POST"])
def admin_events(request):
    institution = request.actor.institution
    form = EventForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = gsvc.event_create(
                acting=request.actor,
                name=data["name"],
                starts_at=data["starts_at"],
                round_minutes=data["round_minutes"],
                break_minutes=data["break_minutes"],
                place=data["place"],
                mentors=list(data["facilitators"]),
                mentees=list(data["mentees"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext("“%(name)s” created. Generate the rotation when the list is final.") % {"name": event.name},
            )
            return redirect("programs:admin_event", event.pk)
    return render(
        request,
        "programs/admin_events.html",
        {"events": gsel.events_of_institution(institution=institution), "form": form},
    )


@requires("programs.manage")
def admin_event(request, pk: int):
    event = gsel.event_for_admin_or_404(actor=request.actor, pk=pk)
    return render(
        request,
        "programs/admin_event.html",
        {
            "event": event,
            "mentors": gsel.participants(event, "mentor"),
            "mentees": gsel.participants(event, "mentee"),
            "slots": gsel.schedule_of(event=event),
        },
    )


@requires("programs.manage")
@require_POST
def event_schedule(request, pk: int):
    event = gsel.event_for_admin_or_404(actor=request.actor, pk=pk)
    try:
        n = gsvc.event_schedule(acting=request.actor, event=event)
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(
            request,
            gettext("Rotation generated and booked: %(n)s short meetings; everyone has their schedule.") % {"n": n},
        )
    return redirect("programs:admin_event", event.pk)


@requires("events")
def events(request):
    return render(
        request, "programs/events.html", {"events": gsel.events_of_member(membership=request.actor.membership)}
    )


@requires("events")
def event(request, pk: int):
    event = gsel.event_for_member_or_404(actor=request.actor, pk=pk)
    return render(
        request,
        "programs/event.html",
        {"event": event, "slots": gsel.schedule_of(event=event, membership=request.actor.membership)},
    )


# ------------------------------------------------------------------ ask the network


@requires("questions")
@require_http_methods(["GET", "POST"])
def questions(request):
    membership = request.actor.membership
    if membership.role == "mentor":
        mentor = _mentor_profile(request)
        found = gsel.questions_for_mentor(mentor=mentor).order_by("-created_at") if mentor else []
        return render(request, "programs/questions_mentor.html", {"questions": found})
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = gsvc.question_ask(
                acting=request.actor,
                title=data["title"],
                body=data["body"],
                areas=data["areas"],
                share_with_institution=data["share_with_institution"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Your question is on its way to mentors who offer these areas."))
            return redirect("programs:question", question.pk)
    return render(
        request,
        "programs/questions_mentee.html",
        {
            "form": form,
            "mine": gsel.questions_of_mentee(mentee=membership),
            "shared": gsel.shared_questions(mentee=membership),
        },
    )


@requires("questions")
@require_http_methods(["GET", "POST"])
def question(request, pk: int):
    question = gsel.question_for_actor_or_404(actor=request.actor, pk=pk)
    mentor = _mentor_profile(request)
    form = AnswerForm(request.POST or None) if mentor else None
    if request.method == "POST":
        if form is None:
            raise Http404
        try:
            if not form.is_valid():
                raise ValidationError(gettext("Write your answer first."))
            gsvc.question_answer(acting=request.actor, question=question, body=form.cleaned_data["body"])
        except ValidationError as exc:
            error_message(request, exc)
        else:
            messages.success(request, gettext("Thank you: your answer is with the learner."))
        return redirect("programs:question", question.pk)
    answers = list(gsel.answers_of(question))
    return render(
        request,
        "programs/question.html",
        {
            "question": question,
            "answers": answers,
            "form": form,
            "answered": mentor is not None and any(a.mentor_id == mentor.pk for a in answers),
        },
    )
