"""Pages for meetings, booking, availability and the private calendar feed (R17)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentormemed.core.access import public, requires
from mentormemed.core.feedback import error_message
from mentormemed.core.timezones import zone_or_utc
from mentormemed.scheduling import ics, selectors, services
from mentormemed.scheduling.forms import (
    AgendaForm,
    AvailabilityForm,
    CancelForm,
    DateOffForm,
    NotesForm,
    format_windows,
    parse_slot,
)
from mentormemed.scheduling.models import MeetingStatus, Window

NEW_FEED_SESSION_KEY = "scheduling_new_feed_token"


def _zone(request):
    return zone_or_utc(request.user.time_zone)


def _feed_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('scheduling:feed', args=[token])}"


# ------------------------------------------------------------------------------ meetings


@requires("scheduling.meetings")
def meetings(request):
    membership = request.actor.membership
    now = timezone.now()
    token = request.session.pop(NEW_FEED_SESSION_KEY, None)
    feed_url = _feed_url(token) if token else ""
    return render(
        request,
        "scheduling/meetings.html",
        {
            "upcoming": selectors.upcoming_meetings(membership=membership, now=now)[:50],
            "past": Paginator(selectors.past_meetings(membership=membership, now=now), 20).get_page(
                request.GET.get("page")
            ),
            "relationships": selectors.bookable_relationships(membership=membership),
            "side": membership.role,
            "feed": selectors.active_feed(user=request.user),
            "feed_url": feed_url,
            "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://"),
            "now": now,
        },
    )


def _slot_page(request, *, relationship, availability, exclude=None):
    """The context for choosing a slot: one week at a time, in the viewer's zone."""
    page = selectors.slot_page(
        relationship=relationship,
        availability=availability,
        length=request.GET.get("length") or request.POST.get("length"),
        week=request.GET.get("week"),
        zone=_zone(request),
        exclude=exclude,
    )
    return {**page, "zone": request.user.time_zone}


@requires("scheduling.meetings")
@require_http_methods(["GET", "POST"])
def book(request, pk: int):
    """Choose a free slot in an active relationship and book it with an agenda (mentee or mentor)."""
    relationship = selectors.relationship_for_or_404(actor=request.actor, pk=pk)
    other = relationship.other_user(request.user)
    availability = selectors.availability_of(relationship.mentor)
    form = AgendaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        starts_at = parse_slot(request.POST.get("slot"))
        if starts_at is None:
            messages.error(request, gettext("Choose a time first."))
        else:
            try:
                meeting = services.meeting_book(
                    relationship=relationship,
                    acting=request.actor,
                    starts_at=starts_at,
                    length=int(request.POST.get("length") or 0) or None,
                    agenda=form.cleaned_data["agenda"],
                )
            except (ValidationError, ValueError) as exc:
                error_message(
                    request, exc if isinstance(exc, ValidationError) else ValidationError(gettext("Choose a length."))
                )
            else:
                messages.success(
                    request,
                    gettext("Meeting booked. %(display_name)s and you will get an invitation.")
                    % {"display_name": other.display_name},
                )
                return redirect("scheduling:meeting", pk=meeting.pk)
    context = _slot_page(request, relationship=relationship, availability=availability)
    context.update({"relationship": relationship, "other": other, "form": form, "meeting": None})
    context["can_book"] = relationship.is_active
    return render(request, "scheduling/book.html", context)


@requires("scheduling.meetings")
@require_http_methods(["GET", "POST"])
def reschedule(request, pk: int):
    meeting = selectors.meeting_for_or_404(actor=request.actor, pk=pk)
    relationship = meeting.relationship
    if request.method == "POST":
        starts_at = parse_slot(request.POST.get("slot"))
        if starts_at is None:
            messages.error(request, gettext("Choose a new time first."))
        else:
            try:
                services.meeting_reschedule(
                    meeting=meeting,
                    acting=request.actor,
                    starts_at=starts_at,
                    length=int(request.POST.get("length") or 0) or None,
                )
            except (ValidationError, ValueError) as exc:
                error_message(
                    request, exc if isinstance(exc, ValidationError) else ValidationError(gettext("Choose a length."))
                )
            else:
                messages.success(request, gettext("Meeting moved. Both of you get an updated invitation."))
                return redirect("scheduling:meeting", pk=meeting.pk)
    availability = selectors.availability_of(meeting.mentor)
    context = _slot_page(request, relationship=relationship, availability=availability, exclude=meeting)
    context.update(
        {
            "relationship": relationship,
            "other": relationship.other_user(request.user),
            "form": None,
            "meeting": meeting,
            "can_book": meeting.status == MeetingStatus.SCHEDULED and not meeting.is_past,
        }
    )
    return render(request, "scheduling/book.html", context)


@requires("scheduling.meetings")
def meeting(request, pk: int):
    item = selectors.meeting_for_or_404(actor=request.actor, pk=pk)
    return render(
        request,
        "scheduling/meeting.html",
        {
            "m": item,
            "other": item.relationship.other_user(request.user),
            "notes_form": NotesForm(initial={"notes": item.notes}),
            "cancel_form": CancelForm(),
            "can_change": item.status == MeetingStatus.SCHEDULED and not item.is_past,
            "can_mark_held": item.status == MeetingStatus.SCHEDULED and item.is_past,
        },
    )


@requires("scheduling.meetings")
@require_POST
def cancel(request, pk: int):
    item = selectors.meeting_for_or_404(actor=request.actor, pk=pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.meeting_cancel(meeting=item, acting=request.actor, reason=reason)
        messages.success(request, gettext("Meeting cancelled. Both of you get a cancellation for your calendars."))
    except ValidationError as exc:
        error_message(request, exc)
    return redirect("scheduling:meeting", pk=item.pk)


@requires("scheduling.meetings")
@require_POST
def held(request, pk: int):
    item = selectors.meeting_for_or_404(actor=request.actor, pk=pk)
    try:
        services.meeting_mark_held(meeting=item, acting=request.actor)
        messages.success(request, gettext("Marked as held. Well done!"))
    except ValidationError as exc:
        error_message(request, exc)
    return redirect("scheduling:meeting", pk=item.pk)


@requires("scheduling.meetings")
@require_POST
def notes(request, pk: int):
    item = selectors.meeting_for_or_404(actor=request.actor, pk=pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        services.meeting_notes_save(meeting=item, acting=request.actor, notes=form.cleaned_data["notes"])
        messages.success(request, gettext("Notes saved."))
    else:
        messages.error(request, gettext("Notes can be at most 5,000 characters."))
    return redirect("scheduling:meeting", pk=item.pk)


@requires("scheduling.meetings")
def invite(request, pk: int):
    """Download the meeting as an .ics file (REQUEST, or CANCEL once cancelled)."""
    item = selectors.meeting_for_or_404(actor=request.actor, pk=pk)
    method = "CANCEL" if item.status == MeetingStatus.CANCELLED else "REQUEST"
    response = HttpResponse(ics.invite_ics(item, method=method), content_type=f"text/calendar; method={method}")
    response["Content-Disposition"] = f'attachment; filename="meeting-{item.pk}.ics"'
    return response


# -------------------------------------------------------------------------- availability


def _my_mentor_profile(request):
    """The acting mentor's profile, or None before they have started one (profiles creates it)."""
    return selectors.mentor_profile_of(request.actor.membership)


def _availability_initial(request, availability) -> dict:
    if availability is None:
        return {
            "time_zone": request.user.time_zone,
            "lengths": [30, 60],
            "buffer_minutes": 15,
            "notice_hours": 24,
            "horizon_days": 30,
            "link_kind": "generated",
        }
    initial = {
        f: getattr(availability, f)
        for f in ("time_zone", "lengths", "buffer_minutes", "notice_hours", "horizon_days", "link_kind", "own_link")
    }
    initial["place"] = availability.place
    windows = list(availability.windows.all())
    for day, _ in Window.WEEKDAYS:
        initial[f"day_{day}"] = format_windows(windows, day)
    return initial


@requires("scheduling.availability")
@require_http_methods(["GET", "POST"])
def availability(request):
    mentor = _my_mentor_profile(request)
    if mentor is None:
        return render(request, "scheduling/availability_no_profile.html")
    current = selectors.availability_of(mentor)
    form = AvailabilityForm(request.POST or None, initial=_availability_initial(request, current))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.availability_save(
                acting=request.actor,
                time_zone=data["time_zone"],
                lengths=data["lengths"],
                buffer_minutes=data["buffer_minutes"],
                notice_hours=data["notice_hours"],
                horizon_days=data["horizon_days"],
                link_kind=data["link_kind"],
                own_link=data["own_link"],
                place=data["place"],
                windows=data["windows"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Availability saved. Your mentees see the new times right away."))
            return redirect("scheduling:availability")
    day_fields = [form[f"day_{day}"] for day, _ in Window.WEEKDAYS]
    return render(
        request,
        "scheduling/availability.html",
        {
            "form": form,
            "day_fields": day_fields,
            "current": current,
            "dates_off": selectors.date_off_ranges(current) if current else [],
            "date_off_form": DateOffForm(),
        },
    )


@requires("scheduling.availability")
@require_POST
def date_off_add(request):
    mentor = _my_mentor_profile(request)
    form = DateOffForm(request.POST)
    if mentor is None:
        messages.error(request, gettext("Start your mentor profile first."))
    elif form.is_valid():
        start, end = form.cleaned_data["date"], form.cleaned_data["end"] or form.cleaned_data["date"]
        try:
            added = services.dates_off_add(acting=request.actor, start=start, end=end, note=form.cleaned_data["note"])
        except ValidationError as exc:
            error_message(request, exc)
        else:
            if len(added) == 1:
                messages.success(
                    request,
                    gettext("%(day)s is now a date off.") % {"day": formats.date_format(start, "MONTH_DAY_FORMAT")},
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(start)s to %(end)s (%(count)s day) are now off.",
                        "%(start)s to %(end)s (%(count)s days) are now off.",
                        len(added),
                    )
                    % {
                        "start": formats.date_format(start, "MONTH_DAY_FORMAT"),
                        "end": formats.date_format(end, "MONTH_DAY_FORMAT"),
                        "count": len(added),
                    },
                )
    else:
        errors = " ".join(e for errors in form.errors.values() for e in errors)
        messages.error(request, errors or gettext("Choose a date."))
    return redirect("scheduling:availability")


@requires("scheduling.availability")
@require_POST
def date_off_remove(request, pk: int):
    date_off = selectors.date_off_for_or_404(actor=request.actor, pk=pk)
    through = parse_date(request.POST.get("through", "") or "") if request.POST.get("through") else None
    removed = services.date_off_remove(acting=request.actor, date_off=date_off, through=through)
    messages.success(
        request,
        gettext("Date off removed.")
        if removed == 1
        else gettext("%(removed)s dates off removed.") % {"removed": removed},
    )
    return redirect("scheduling:availability")


# ---------------------------------------------------------------------------------- feed


@requires("scheduling.meetings")
@require_POST
def feed_new(request):
    token = services.feed_create(acting=request.actor)
    request.session[NEW_FEED_SESSION_KEY] = token  # shown once on the next page, then gone
    messages.success(request, gettext("Your new calendar feed is ready. Any older feed link has stopped working."))
    return redirect(reverse("scheduling:meetings") + "#feed")


@requires("scheduling.meetings")
@require_POST
def feed_revoke(request):
    if services.feed_revoke(acting=request.actor):
        messages.success(request, gettext("Your calendar feed link no longer works anywhere."))
    return redirect(reverse("scheduling:meetings") + "#feed")


@public
@require_GET
def feed(request, token: str):
    """The private feed: the token is the credential. Unknown or revoked tokens answer 404."""
    found = selectors.feed_by_token(token)
    if found is None:
        raise Http404
    services.feed_touch(found)
    body = ics.feed_ics(selectors.feed_meetings(user=found.user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
