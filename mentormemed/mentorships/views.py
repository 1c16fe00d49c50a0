"""Pages for requests, the mentor's inbox, relationships, the mentee's network and reinstatement."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import requires
from mentormemed.core.conf import product
from mentormemed.core.feedback import error_message
from mentormemed.core.onboarding import missing_steps
from mentormemed.mentorships import selectors, services
from mentormemed.mentorships.forms import (
    AnswerForm,
    CheckInForm,
    CompactForm,
    EndForm,
    GoalForm,
    MessageForm,
    ProgressForm,
    ReinstateForm,
    RequestForm,
)
from mentormemed.mentorships.models import STAGE_ORDER, Compact, RequestState, Stage
from mentormemed.profiles import responsiveness
from mentormemed.profiles.models import ContentArea


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------------------ mentee


def _area_choices(mentee, mentor):
    """The mentee's own areas of need; before they have listed any, what the mentor offers."""
    needs = selectors.mentee_needs(mentee)
    if needs:
        return ContentArea.objects.filter(pk__in=[n.pk for n in needs])
    offered = mentor.content_areas.all()
    return offered if offered.exists() else ContentArea.objects.filter(active=True)


@requires("mentorships.request")
@require_http_methods(["GET", "POST"])
def request_new(request, mentor_id: int):
    """Request form from a mentor's profile or a recommendation (R13). Out-of-scope mentors are 404."""
    mentee = request.actor.membership
    mentor = selectors.mentor_in_scope(mentee=mentee, mentor_id=mentor_id)
    form = RequestForm(
        request.POST or None,
        area_choices=_area_choices(mentee, mentor),
        initial={"search_id": request.GET.get("s", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.request_send(
                acting=request.actor,
                mentor=mentor,
                message=form.cleaned_data["message"],
                areas=form.cleaned_data["areas"],
                search_id=_int_or_none(form.cleaned_data["search_id"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext("Your request is on its way to %(display_name)s.")
                % {"display_name": mentor.membership.user.display_name},
            )
            return redirect("mentorships:requests")
    return render(
        request,
        "mentorships/request_new.html",
        {
            "mentor": mentor,
            "form": form,
            "missing": missing_steps(mentee),
            "blocker": selectors.request_blocker(mentee=mentee, mentor=mentor),
            "window_days": product.response_window_days,
        },
    )


@requires("mentorships.request")
def requests(request):
    mentee = request.actor.membership
    qs = selectors.requests_of_mentee(mentee=mentee)
    pending = [r for r in qs if r.state == RequestState.PENDING]
    page = Paginator(qs.exclude(state=RequestState.PENDING), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "mentorships/requests.html",
        {"pending": pending, "page": page, "limit": product.max_pending_requests},
    )


@requires("mentorships.request")
@require_POST
def request_withdraw(request, pk: int):
    mentorship_request = selectors.own_request_or_404(actor=request.actor, pk=pk)
    try:
        services.request_withdraw(acting=request.actor, request=mentorship_request)
        messages.success(request, gettext("Request withdrawn."))
    except ValidationError as exc:
        error_message(request, exc)
    return redirect("mentorships:requests")


@requires("mentorships.network")
def network(request):
    mentee = request.actor.membership
    return render(
        request,
        "mentorships/network.html",
        {
            "network": selectors.network_of(mentee=mentee),
            "pending": selectors.requests_of_mentee(mentee=mentee).filter(state=RequestState.PENDING),
        },
    )


@requires("mentorships.network")
def rematch(request, pk: int):
    """R29: one click from "not working" to suggestions that leave this mentor out."""
    relationship = selectors.relationship_for_or_404(actor=request.actor, pk=pk)
    mentee = request.actor.membership
    excluded = selectors.not_to_suggest(mentee=mentee) | {relationship.mentor_id}
    suggestions = selectors.recommendations(mentee=mentee, exclude_mentor_ids=excluded, limit=5)
    return render(request, "mentorships/rematch.html", {"relationship": relationship, "suggestions": suggestions})


# ------------------------------------------------------------------------------ mentor


@requires("mentorships.inbox")
def inbox(request):
    """The mentor's page: requests waiting (with the mentee's profile and message, R28), mentees, capacity."""
    mentor = selectors.mentor_profile_of(request.actor.membership)
    context = {"mentor": mentor, "requests": [], "overview": None}
    if mentor is not None:
        context["requests"] = list(selectors.inbox_of_mentor(mentor=mentor))
        context["overview"] = selectors.mentor_overview(mentor=mentor)
        context["window_days"] = responsiveness.WINDOW_DAYS
        context["min_decided"] = responsiveness.MIN_DECIDED
        context["missed"] = services.missed_since_reinstatement(mentor=mentor, now=_now())
        context["threshold"] = product.missed_response_threshold
    context["answer_form"] = AnswerForm()
    context["missing"] = missing_steps(request.actor.membership)
    return render(request, "mentorships/inbox.html", context)


def _now():
    from django.utils import timezone

    return timezone.now()


@requires("mentorships.inbox")
def inbox_detail(request, pk: int):
    mentor = selectors.mentor_profile_of(request.actor.membership)
    mentorship_request = selectors.request_for_mentor_or_404(mentor=mentor, pk=pk)
    profile = getattr(mentorship_request.mentee, "mentee_profile", None)
    return render(
        request,
        "mentorships/inbox_detail.html",
        {
            "r": mentorship_request,
            "profile": profile,
            "needs": selectors.mentee_needs(mentorship_request.mentee),
            "shown": selectors.mentee_as_shown(mentorship_request.mentee),
            "answer_form": AnswerForm(),
            "overview": selectors.mentor_overview(mentor=mentor),
            "missing": missing_steps(request.actor.membership),
        },
    )


@requires("mentorships.inbox")
@require_POST
def request_answer(request, pk: int, decision: str):
    mentor = selectors.mentor_profile_of(request.actor.membership)
    mentorship_request = selectors.request_for_mentor_or_404(mentor=mentor, pk=pk)
    form = AnswerForm(request.POST)
    text = form.cleaned_data["message"] if form.is_valid() else ""
    name = mentorship_request.mentee.user.display_name
    try:
        if decision == "accept":
            relationship = services.request_accept(acting=request.actor, request=mentorship_request, message=text)
            messages.success(
                request, gettext("You are now %(name)s's mentor. Start with your mentoring compact.") % {"name": name}
            )
            return redirect("mentorships:relationship", pk=relationship.pk)
        services.request_decline(acting=request.actor, request=mentorship_request, message=text)
        messages.success(
            request, gettext("You declined %(name)s's request; they will be shown other mentors.") % {"name": name}
        )
    except ValidationError as exc:
        error_message(request, exc)
        if isinstance(exc, services.GateClosed):
            return redirect("core:onboarding")
    return redirect("mentorships:inbox")


# ------------------------------------------------------------------------ relationships


@requires("mentorships.relationships")
def relationships(request):
    items = list(selectors.relationships_of(membership=request.actor.membership).select_related("compact"))
    return render(
        request,
        "mentorships/relationships.html",
        {"active": [r for r in items if r.is_active], "ended": [r for r in items if not r.is_active]},
    )


@requires("mentorships.relationships")
def relationship(request, pk: int):
    rel = selectors.relationship_for_or_404(actor=request.actor, pk=pk)
    side = rel.side_of(request.user)
    # Relationships recorded without a compact (imported or older data) show an unwritten one.
    compact = getattr(rel, "compact", None) or Compact(relationship=rel)
    return render(
        request,
        "mentorships/relationship.html",
        {
            "rel": rel,
            "side": side,
            "other": rel.other_user(request.user),
            "compact": compact,
            "my_confirmed": getattr(compact, f"{side}_confirmed_at"),
            "compact_form": CompactForm(
                initial={"expectations": compact.expectations, "meeting_rhythm": compact.meeting_rhythm}
            ),
            "goals": rel.goals.all(),
            "goal_form": GoalForm(),
            "thread": selectors.messages_of(relationship=rel),
            "message_form": MessageForm(),
            # Both forms have a "note": distinct ids keep each label on its own field.
            "end_form": EndForm(auto_id="id_end_%s"),
            "checkin_form": CheckInForm(auto_id="id_checkin_%s"),
            "my_checkin": getattr(rel, f"{side}_checkin"),
            "stages": STAGE_ORDER,
            "next_stage": rel.next_stage,
            "can_message": rel.is_active or rel.stage == Stage.REDEFINITION,
            "mentee_phone": selectors.mentee_phone_for(relationship=rel, side=side),
        },
    )


def _relationship_action(request, pk: int, action) -> object:
    rel = selectors.relationship_for_or_404(actor=request.actor, pk=pk)
    try:
        result = action(rel)
    except ValidationError as exc:
        error_message(request, exc)
        return redirect("mentorships:relationship", pk=rel.pk)
    return result or redirect("mentorships:relationship", pk=rel.pk)


@requires("mentorships.relationships")
@require_POST
def message_send(request, pk: int):
    """Send a message; with htmx, answer the refreshed thread only."""

    def act(rel):
        form = MessageForm(request.POST)
        if not form.is_valid():
            raise ValidationError(gettext("Write a message (at most 5,000 characters)."))
        services.message_send(acting=request.actor, relationship=rel, body=form.cleaned_data["body"])
        if request.htmx:
            return render(
                request,
                "mentorships/_thread.html",
                {
                    "thread": selectors.messages_of(relationship=rel),
                    "message_form": MessageForm(),
                    "rel": rel,
                    "can_message": True,
                    "sent": True,
                },
            )
        return redirect(reverse("mentorships:relationship", args=[rel.pk]) + "#messages")

    return _relationship_action(request, pk, act)


@requires("mentorships.relationships")
@require_POST
def compact_save(request, pk: int):
    def act(rel):
        form = CompactForm(request.POST)
        if not form.is_valid():
            raise ValidationError(gettext("Write your expectations and how often you will meet."))
        services.compact_save(acting=request.actor, relationship=rel, **form.cleaned_data)
        messages.success(request, gettext("Compact saved. The other side is asked to confirm it."))

    return _relationship_action(request, pk, act)


@requires("mentorships.relationships")
@require_POST
def compact_confirm(request, pk: int):
    def act(rel):
        services.compact_confirm(acting=request.actor, relationship=rel)
        messages.success(request, gettext("You confirmed the compact."))

    return _relationship_action(request, pk, act)


@requires("mentorships.relationships")
@require_POST
def goal_add(request, pk: int):
    def act(rel):
        form = GoalForm(request.POST)
        if not form.is_valid():
            raise ValidationError(gettext("Write the goal (at most 300 characters)."))
        services.goal_add(acting=request.actor, relationship=rel, text=form.cleaned_data["text"])
        messages.success(request, gettext("Goal added."))

    return _relationship_action(request, pk, act)


@requires("mentorships.relationships")
@require_POST
def goal_progress(request, pk: int):
    goal = selectors.goal_for_or_404(actor=request.actor, pk=pk)

    def act(rel):
        form = ProgressForm(request.POST)
        if not form.is_valid():
            raise ValidationError(gettext("Progress is a percentage from 0 to 100."))
        goal.relationship = rel
        services.goal_progress(acting=request.actor, goal=goal, progress=form.cleaned_data["progress"])
        messages.success(request, gettext("Progress updated."))

    return _relationship_action(request, goal.relationship_id, act)


@requires("mentorships.relationships")
@require_POST
def relationship_end(request, pk: int):
    def act(rel):
        form = EndForm(request.POST)
        if not form.is_valid():
            raise ValidationError(gettext("Choose a reason for ending the mentorship."))
        services.relationship_end(acting=request.actor, relationship=rel, **form.cleaned_data)
        messages.success(request, gettext("The mentorship has ended. Thank you."))

    return _relationship_action(request, pk, act)


@requires("mentorships.relationships")
@require_POST
def sponsor(request, pk: int):
    def act(rel):
        services.relationship_set_sponsor(
            acting=request.actor, relationship=rel, is_sponsor=request.POST.get("is_sponsor") == "1"
        )
        messages.success(request, gettext("Saved."))

    return _relationship_action(request, pk, act)


@requires("mentorships.relationships")
@require_POST
def stage(request, pk: int):
    def act(rel):
        services.relationship_advance(acting=request.actor, relationship=rel, stage=request.POST.get("stage", ""))
        messages.success(
            request,
            gettext("The mentorship is now in %(get_stage_display)s.")
            % {"get_stage_display": rel.get_stage_display().lower()},
        )

    return _relationship_action(request, pk, act)


@requires("mentorships.relationships")
@require_POST
def checkin(request, pk: int):
    def act(rel):
        form = CheckInForm(request.POST)
        if not form.is_valid():
            raise ValidationError(gettext("Say whether the mentorship is working."))
        side = rel.side_of(request.user)
        ended = services.checkin_answer(acting=request.actor, relationship=rel, **form.cleaned_data)
        if not ended:
            messages.success(request, gettext("Thank you — glad it is working."))
            return None
        messages.info(request, gettext("Thank you for saying so. The mentorship has ended kindly."))
        if side == "mentee":
            return redirect("mentorships:rematch", pk=rel.pk)
        return redirect("mentorships:relationships")

    return _relationship_action(request, pk, act)


# ------------------------------------------------------------------------ admin / staff


@requires("mentorships.reinstate")
def suspended(request):
    return render(
        request,
        "mentorships/suspended.html",
        {"mentors": selectors.suspended_mentors(actor=request.actor), "form": ReinstateForm()},
    )


@requires("mentorships.reinstate")
@require_POST
def reinstate(request, mentor_id: int):
    mentor = selectors.suspended_mentor_or_404(actor=request.actor, mentor_id=mentor_id)
    form = ReinstateForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Write a short note saying why the mentor is reinstated."))
        return redirect("mentorships:suspended")
    try:
        services.mentor_reinstate(acting=request.actor, mentor=mentor, note=form.cleaned_data["note"])
        messages.success(
            request, gettext("%(display_name)s is reinstated.") % {"display_name": mentor.membership.user.display_name}
        )
    except ValidationError as exc:
        error_message(request, exc)
    return redirect("mentorships:suspended")
