"""Pages for relationship health and duty of care: report, block, wellbeing concern, no-shows,
check-ins, the admins' at-risk list, case handling and the institution's settings (R36, R37)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.care import selectors, services
from mentormemed.care.forms import (
    CaseUpdateForm,
    CheckInAnswerForm,
    ConcernForm,
    DuplicateForm,
    OutreachForm,
    PolicyForm,
    ReportForm,
)
from mentormemed.care.health import stored_reasons
from mentormemed.care.models import CaseStatus, CheckInOccasion, HealthState
from mentormemed.core.access import requires
from mentormemed.core.audit import audit_request
from mentormemed.core.feedback import error_message
from mentormemed.mentorships import selectors as mentorships
from mentormemed.scheduling import selectors as scheduling


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _back_to(rel) -> str:
    return reverse("mentorships:relationship", args=[rel.pk]) + "#care"


# ------------------------------------------------------------------------- report + block


def _report(request, *, subject, relationship=None, back: str, about: str):
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.report_file(
                acting=request.actor,
                subject_membership=subject,
                relationship=relationship,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                block=form.cleaned_data["block"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            note = " " + gettext("Contact is paused.") if form.cleaned_data["block"] else ""
            messages.success(
                request,
                gettext("Thank you. Your report %(reference)s went to the people who handle reports.%(note)s")
                % {"reference": case.reference, "note": note},
            )
            return redirect("care:my_reports")
    return render(
        request,
        "care/report.html",
        {"form": form, "subject": subject.user, "back": back, "about": about},
        status=400 if form.errors else 200,
    )


@requires("care.relationship")
@require_http_methods(["GET", "POST"])
def report_relationship(request, pk: int):
    rel = mentorships.relationship_for_or_404(actor=request.actor, pk=pk)
    side = rel.side_of(request.user)
    subject = rel.mentor.membership if side == "mentee" else rel.mentee
    return _report(request, subject=subject, relationship=rel, back=_back_to(rel), about="your mentorship")


@requires("care.report_mentor")
@require_http_methods(["GET", "POST"])
def report_mentor(request, pk: int):
    """A mentee reports a mentor from the mentor's profile (any mentor in their scope)."""
    mentor = mentorships.mentor_in_scope(mentee=request.actor.membership, mentor_id=pk)
    return _report(request, subject=mentor.membership, back=reverse("matching:mentor", args=[pk]), about="a profile")


@requires("care.report_request")
@require_http_methods(["GET", "POST"])
def report_request(request, pk: int):
    """A mentor reports the mentee who sent them a request."""
    mentor = mentorships.mentor_profile_of(request.actor.membership)
    mentorship_request = mentorships.request_for_mentor_or_404(mentor=mentor, pk=pk)
    return _report(
        request,
        subject=mentorship_request.mentee,
        back=reverse("mentorships:inbox_detail", args=[pk]),
        about="a request",
    )


@requires("care.relationship")
@require_POST
def block_lift(request, user_id: int):
    """Restore contact with ``user_id`` (only ever the actor's own block)."""
    block = selectors.my_block(user=request.user, other_id=user_id)
    try:
        if block is None:
            raise ValidationError(gettext("Contact is already restored."))
        services.block_lift(acting=request.actor, block=block)
        messages.success(request, gettext("Contact is restored."))
    except ValidationError as exc:
        error_message(request, exc)
    if block is not None and block.relationship_id:
        return redirect(_back_to(block.relationship))
    return redirect("care:my_reports")


@requires("care.report")
def my_reports(request):
    return render(
        request,
        "care/my_reports.html",
        {
            "cases": selectors.cases_filed_by(user=request.user)[:50],
            "blocks": selectors.blocks_placed(user=request.user),
        },
    )


# ---------------------------------------------------------------------- wellbeing concern


@requires("care.concern")
@require_http_methods(["GET", "POST"])
def concern(request, pk: int):
    rel = mentorships.relationship_for_or_404(actor=request.actor, pk=pk)
    if rel.side_of(request.user) != "mentor":
        raise Http404
    policy = selectors.policy_for(rel.mentee.institution_id)
    sent = selectors.cases_filed_by(user=request.user).filter(relationship=rel, pk=_int(request.GET.get("sent")))
    if request.method == "GET" and sent.exists():  # after the POST: the crisis resources, at once
        return render(request, "care/concern_sent.html", {"rel": rel, "case": sent.get(), "policy": policy})
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.concern_raise(
                acting=request.actor,
                relationship=rel,
                description=form.cleaned_data["description"],
                urgent=form.cleaned_data["urgent"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(reverse("care:concern", args=[rel.pk]) + f"?sent={case.pk}")
    return render(
        request,
        "care/concern.html",
        {"form": form, "rel": rel, "policy": policy, "mentee": rel.mentee.user},
        status=400 if form.errors else 200,
    )


# ------------------------------------------------------------------- check-ins, no-shows


@requires("care.relationship")
@require_POST
def checkin_answer(request, pk: int):
    checkin = selectors.checkin_for_or_404(actor=request.actor, pk=pk)
    form = CheckInAnswerForm(request.POST, periodic=checkin.occasion == CheckInOccasion.PERIODIC)
    if form.is_valid():
        try:
            services.checkin_answer(
                acting=request.actor,
                checkin=checkin,
                going=form.cleaned_data["going"],
                rhythm=form.cleaned_data.get("rhythm", ""),
            )
            messages.success(request, gettext("Thank you — only you see your answer."))
        except ValidationError as exc:
            error_message(request, exc)
    else:
        messages.error(request, gettext("Choose an answer to each question."))
    return redirect(_back_to(checkin.relationship))


@requires("care.relationship")
@require_POST
def no_show(request, pk: int):
    meeting = scheduling.meeting_for_or_404(actor=request.actor, pk=pk)
    try:
        services.no_show_mark(acting=request.actor, meeting=meeting)
        messages.success(request, gettext("Recorded: the meeting did not take place because they did not show."))
    except ValidationError as exc:
        error_message(request, exc)
    return redirect("scheduling:meeting", pk=meeting.pk)


@requires("care.duplicates")
@require_http_methods(["GET", "POST"])
def duplicate(request, pk: int):
    item = selectors.duplicate_or_404(mentee=request.actor.membership, pk=pk)
    form = DuplicateForm(request.POST or None, duplicate=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.duplicate_resolve(acting=request.actor, duplicate=item, keep=form.cleaned_data["keep"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Thank you. Your network is up to date."))
            return redirect("mentorships:network")
    return render(request, "care/duplicate.html", {"item": item, "form": form}, status=400 if form.errors else 200)


# ------------------------------------------------------------------------ admins and staff


@requires("care.at_risk")
def at_risk(request):
    wanted = request.GET.get("state", "")
    states = [wanted] if wanted in (HealthState.AT_RISK, HealthState.DRIFTING, HealthState.PAUSED) else None
    qs = selectors.at_risk(actor=request.actor, **({"states": states} if states else {}))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = [
        (
            h,
            OutreachForm(auto_id=f"id_r{h.relationship_id}_%s", sides=_my_sides(request.actor, h)),
            stored_reasons(h.reasons),  # worded in the viewer's language from the stored codes
        )
        for h in page
    ]
    return render(
        request,
        "care/at_risk.html",
        {
            "page": page,
            "rows": rows,
            "counts": selectors.state_counts(actor=request.actor),
            "wanted": wanted,
            "refreshed_at": selectors.last_refresh(),
        },
    )


def _my_sides(actor, health) -> tuple[str, ...]:
    """An admin reaches out to their own people only; staff to anyone."""
    if actor.role == "staff":
        return ("mentee", "mentor")
    return tuple(
        side
        for side, inst in (("mentee", health.mentee_institution_id), ("mentor", health.mentor_institution_id))
        if inst == actor.institution_id
    )


@requires("care.at_risk")
@require_POST
def reach_out(request, pk: int):
    health = selectors.health_or_404(actor=request.actor, relationship_id=pk)
    form = OutreachForm(request.POST)
    if form.is_valid():
        try:
            services.outreach_send(
                acting=request.actor,
                relationship=health.relationship,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, gettext("Sent. They get it as their notification settings say."))
        except ValidationError as exc:
            error_message(request, exc)
    else:
        messages.error(request, gettext("Choose whom to reach out to; a note can be at most 1,000 characters."))
    return redirect("care:at_risk")


@requires("care.cases")
def cases(request):
    status = request.GET.get("status", "open_all")
    qs = selectors.cases_for(actor=request.actor, status=status if status in CaseStatus.values else "")
    if status == "open_all":
        qs = qs.exclude(status=CaseStatus.RESOLVED)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "care/cases.html", {"page": page, "status": status, "statuses": CaseStatus.choices})


@requires("care.cases")
def case(request, pk: int):
    item = selectors.case_or_404(actor=request.actor, pk=pk)
    audit_request(request, action="care.case.view", obj=item)
    return render(
        request,
        "care/case.html",
        {
            "case": item,
            "events": item.events.select_related("by"),
            "form": CaseUpdateForm(initial={"status": item.status}),
            "blocks": item.blocks.select_related("blocker", "blocked"),
        },
    )


@requires("care.cases")
@require_POST
def case_take(request, pk: int):
    item = selectors.case_or_404(actor=request.actor, pk=pk)
    try:
        services.case_take(acting=request.actor, case=item)
        messages.success(request, gettext("You own this case now."))
    except ValidationError as exc:
        error_message(request, exc)
    return redirect("care:case", pk=item.pk)


@requires("care.cases")
@require_POST
def case_update(request, pk: int):
    item = selectors.case_or_404(actor=request.actor, pk=pk)
    form = CaseUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.case_update(
                acting=request.actor, case=item, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
            messages.success(request, gettext("Saved to the case history."))
        except ValidationError as exc:
            error_message(request, exc)
    else:
        messages.error(request, gettext("Choose a status; a note can be at most 2,000 characters."))
    return redirect("care:case", pk=item.pk)


@requires("care.settings")
@require_http_methods(["GET", "POST"])
def care_settings(request):
    institution = request.actor.institution
    policy = selectors.policy_for(institution)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_save(acting=request.actor, institution=institution, values=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Duty-of-care settings saved."))
            return redirect("care:settings")
    return render(request, "care/settings.html", {"form": form}, status=400 if form.errors else 200)
