"""Pages for programs and matching rounds (admins), introductions and milestones (members)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import requires
from mentormemed.core.feedback import error_message
from mentormemed.institutions.models import Membership
from mentormemed.mentorships.selectors import relationship_for_or_404
from mentormemed.profiles.models import MentorProfile
from mentormemed.programs import group_selectors, selectors, services
from mentormemed.programs.forms import InviteForm, PreferenceForm, ProgramEditForm, ProgramForm, SwapForm
from mentormemed.programs.models import Milestone, Preference, ProposalStatus, RoundStatus


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------------ admins


SETTINGS = (
    "name",
    "description",
    "enrol_opens",
    "enrol_closes",
    "milestones",
    "join_mode",
    "audience_levels",
    "mentor_reach",
    "circle_size",
    "fairness",
    "allow_near_peer",
    "required_modules",
)


def _settings(data: dict) -> dict:
    """The program settings a create or edit form hands to its service."""
    return {key: data[key] for key in SETTINGS}


@requires("programs.manage")
def admin_list(request):
    institution = request.actor.institution
    return render(
        request,
        "programs/admin_list.html",
        {
            "programs": selectors.programs_of(institution=institution),
            "national": selectors.national_programs_for_admin(institution=institution),
            "unanswered": group_selectors.unanswered_question_needs(institution=institution),
        },
    )


@requires("programs.manage")
@require_http_methods(["GET", "POST"])
def admin_create(request):
    if request.method == "POST":
        form = ProgramForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                program = services.program_create(
                    acting=request.actor,
                    template_key=data["template"],
                    **_settings(data),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, gettext("%(name)s is ready. Invite people or let them opt in.") % {"name": program.name}
                )
                return redirect("programs:admin_detail", program.pk)
    else:
        form = ProgramForm(initial=ProgramForm.initial_for(request.GET.get("template", "")))
    return render(request, "programs/admin_create.html", {"form": form})


@requires("programs.manage")
@require_http_methods(["GET", "POST"])
def admin_edit(request, pk: int):
    program = selectors.program_for_admin_or_404(actor=request.actor, pk=pk)
    if request.method == "POST":
        form = ProgramEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = services.program_update(
                    acting=request.actor,
                    program=program,
                    **_settings(data),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if changed:
                    messages.success(request, gettext("Saved. The changes apply to what happens next in the program."))
                else:
                    messages.info(request, gettext("Nothing was changed."))
                return redirect("programs:admin_detail", program.pk)
    else:
        form = ProgramEditForm(initial=ProgramEditForm.initial_from(program))
    return render(request, "programs/admin_edit.html", {"form": form, "program": program})


@requires("programs.manage")
def admin_detail(request, pk: int):
    program = selectors.program_for_admin_or_404(actor=request.actor, pk=pk)
    invitable = selectors.invitable_members(program=program, role="mentee") | selectors.invitable_members(
        program=program, role="mentor"
    )
    return render(
        request,
        "programs/admin_detail.html",
        {
            "program": program,
            "progress": selectors.program_progress(program=program),
            "rounds": program.rounds.all(),
            "invite_form": InviteForm(queryset=invitable.order_by("role", "user__last_name", "pk")),
            "milestones": program.milestones.all(),
            "modules": program.required_modules.all(),
            "circles": program.circles.all(),
        },
    )


@requires("programs.manage")
@require_POST
def admin_invite(request, pk: int):
    program = selectors.program_for_admin_or_404(actor=request.actor, pk=pk)
    queryset = Membership.objects.filter(
        institution=program.institution, role__in=["mentee", "mentor"], status="active"
    )
    form = InviteForm(request.POST, queryset=queryset)
    if not form.is_valid():
        messages.error(request, gettext("Tick the people to invite."))
        return redirect("programs:admin_detail", program.pk)
    try:
        n = services.enrol_invite(acting=request.actor, program=program, memberships=list(form.cleaned_data["people"]))
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, ngettext("%(n)s invitation sent.", "%(n)s invitations sent.", n) % {"n": n})
    return redirect("programs:admin_detail", program.pk)


@requires("programs.manage")
@require_POST
def round_solve(request, pk: int):
    return solve_and_redirect(request, selectors.program_for_admin_or_404(actor=request.actor, pk=pk), ADMIN_URLS)


ADMIN_URLS = {
    "list": "programs:admin_list",
    "detail": "programs:admin_detail",
    "solve": "programs:round_solve",
    "round": "programs:round",
    "publish": "programs:round_publish",
    "lock": "programs:proposal_lock",
    "swap": "programs:proposal_swap",
}


def render_round(request, round_, urls: dict[str, str]):
    """The round's review page, for an institution's admin or (a national program) staff."""
    proposals = list(selectors.round_proposals(round=round_))
    return render(
        request,
        "programs/round.html",
        {
            "round": round_,
            "program": round_.program,
            "proposals": proposals,
            "loads": selectors.round_loads(proposals),
            "draft": round_.status == RoundStatus.DRAFT,
            "live": [p for p in proposals if p.status == ProposalStatus.PROPOSED],
            "urls": urls,
        },
    )


@requires("programs.manage")
def round_review(request, pk: int):
    return render_round(request, selectors.round_for_admin_or_404(actor=request.actor, pk=pk), ADMIN_URLS)


def solve_and_redirect(request, program, urls: dict[str, str]):
    try:
        round_ = services.round_solve(acting=request.actor, program=program)
    except ValidationError as exc:
        error_message(request, exc)
        return redirect(urls["detail"], program.pk)
    messages.success(
        request,
        ngettext(
            "Proposal ready: %(matched)s pair. Review it before publishing.",
            "Proposal ready: %(matched)s pairs. Review them before publishing.",
            round_.summary.get("matched", 0),
        )
        % {"matched": round_.summary.get("matched", 0)},
    )
    return redirect(urls["round"], round_.pk)


def publish_and_redirect(request, round_, urls: dict[str, str]):
    try:
        counts = services.round_publish(acting=request.actor, round=round_)
    except ValidationError as exc:
        error_message(request, exc)
    else:
        n = counts["introduced"]
        text = ngettext("Published: %(n)s introduction sent.", "Published: %(n)s introductions sent.", n) % {"n": n}
        if lapsed := counts["lapsed"]:
            text += " " + ngettext(
                "%(n)s pair lapsed because the mentor had no place left.",
                "%(n)s pairs lapsed because the mentor had no place left.",
                lapsed,
            ) % {"n": lapsed}
        messages.success(request, text)
    return redirect(urls["round"], round_.pk)


def lock_and_redirect(request, proposal, urls: dict[str, str]):
    try:
        services.proposal_lock(acting=request.actor, proposal=proposal, locked=request.POST.get("locked") == "1")
    except ValidationError as exc:
        error_message(request, exc)
    return redirect(urls["round"], proposal.round_id)


def swap_and_redirect(request, proposal, urls: dict[str, str]):
    form = SwapForm(request.POST)
    other = None
    if form.is_valid():
        other = proposal.round.proposals.filter(pk=form.cleaned_data["other"]).first()
    if other is None:
        messages.error(request, gettext("Choose another pair of this round to swap mentors with."))
        return redirect(urls["round"], proposal.round_id)
    try:
        services.proposal_swap(acting=request.actor, proposal=proposal, other=other)
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, gettext("Mentors swapped; both pairs are locked."))
    return redirect(urls["round"], proposal.round_id)


@requires("programs.manage")
@require_POST
def round_publish(request, pk: int):
    return publish_and_redirect(request, selectors.round_for_admin_or_404(actor=request.actor, pk=pk), ADMIN_URLS)


@requires("programs.manage")
@require_POST
def proposal_lock(request, pk: int):
    return lock_and_redirect(request, selectors.proposal_for_admin_or_404(actor=request.actor, pk=pk), ADMIN_URLS)


@requires("programs.manage")
@require_POST
def proposal_swap(request, pk: int):
    return swap_and_redirect(request, selectors.proposal_for_admin_or_404(actor=request.actor, pk=pk), ADMIN_URLS)


# ----------------------------------------------------------------------- members


@requires("programs.take_part")
def mine(request):
    membership = request.actor.membership
    return render(
        request,
        "programs/mine.html",
        {
            "programs": selectors.programs_for_member(membership=membership).order_by("-enrol_opens", "name"),
            "introductions": selectors.introductions_for(membership=membership),
        },
    )


@requires("programs.take_part")
def detail(request, pk: int):
    program = selectors.program_for_member_or_404(actor=request.actor, pk=pk)
    membership = request.actor.membership
    enrolment = selectors.enrolment_of(program=program, membership=membership)
    mentors, prefs = [], {}
    if membership.role == "mentee" and enrolment and enrolment.status == "enrolled":
        mentors = list(selectors.program_mentors(program))
        mentors = list(MentorProfile.objects.filter(pk__in=[m.pk for m in mentors]).select_related("membership__user"))
        prefs = dict(Preference.objects.filter(enrolment=enrolment).values_list("mentor_id", "kind"))
    return render(
        request,
        "programs/detail.html",
        {
            "program": program,
            "enrolment": enrolment,
            "blocker": selectors.join_blocker(program=program, membership=membership),
            "missing": selectors.missing_program_modules(program=program, membership=membership),
            "milestones": program.milestones.all(),
            "mentors": [(m, prefs.get(m.pk, "")) for m in mentors],
            "kinds": Preference.Kind.choices,
            "introductions": selectors.introductions_for(membership=membership).filter(round__program=program),
        },
    )


@requires("programs.take_part")
@require_POST
def join(request, pk: int):
    program = selectors.program_for_member_or_404(actor=request.actor, pk=pk)
    try:
        services.enrol_join(acting=request.actor, program=program)
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, gettext("You are enrolled in %(name)s.") % {"name": program.name})
    return redirect("programs:detail", program.pk)


@requires("programs.take_part")
@require_POST
def withdraw(request, pk: int):
    program = selectors.program_for_member_or_404(actor=request.actor, pk=pk)
    try:
        services.enrol_withdraw(acting=request.actor, program=program)
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, gettext("You left %(name)s.") % {"name": program.name})
    return redirect("programs:detail", program.pk)


@requires("programs.take_part")
@require_POST
def preference(request, pk: int):
    program = selectors.program_for_member_or_404(actor=request.actor, pk=pk)
    form = PreferenceForm(request.POST)
    mentor = None
    if form.is_valid():
        mentor = MentorProfile.objects.filter(pk=form.cleaned_data["mentor"]).first()
    if mentor is None:
        messages.error(request, gettext("Choose one of the program's mentors."))
        return redirect("programs:detail", program.pk)
    try:
        services.preference_set(acting=request.actor, program=program, mentor=mentor, kind=form.cleaned_data["kind"])
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, gettext("Saved. The next matching round takes it into account."))
    return redirect("programs:detail", program.pk)


@requires("programs.take_part")
@require_http_methods(["GET", "POST"])
def introduction(request, pk: int):
    proposal = selectors.introduction_for_or_404(actor=request.actor, pk=pk)
    membership = request.actor.membership
    side = selectors.side_of(proposal, membership)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in ("accept", "decline"):
            messages.error(request, gettext("Choose to accept or decline the introduction."))
            return redirect("programs:introduction", proposal.pk)
        try:
            proposal = services.introduction_answer(
                acting=request.actor, proposal=proposal, accept=decision == "accept"
            )
        except ValidationError as exc:
            error_message(request, exc)
            return redirect("programs:introduction", proposal.pk)
        if proposal.status == ProposalStatus.MATCHED:
            messages.success(request, gettext("You are matched. Start with your mentoring compact."))
            return redirect("mentorships:relationship", proposal.relationship_id)
        messages.success(request, gettext("Thank you: your answer is recorded."))
        return redirect("programs:introduction", proposal.pk)
    return render(
        request,
        "programs/introduction.html",
        {
            "proposal": proposal,
            "side": side,
            "program": proposal.round.program,
            "my_answer": getattr(proposal, f"{side}_answer"),
            "other_answer": getattr(proposal, f"{'mentor' if side == 'mentee' else 'mentee'}_answer"),
            "missing": selectors.missing_program_modules(program=proposal.round.program, membership=membership),
        },
    )


@requires("mentorships.relationships")
@require_POST
def milestone_done(request, pk: int):
    relationship = relationship_for_or_404(actor=request.actor, pk=pk)
    milestone = Milestone.objects.filter(pk=_int(request.POST.get("milestone"))).first()
    if milestone is None:
        messages.error(request, gettext("Choose a milestone of your program."))
        return redirect("mentorships:relationship", relationship.pk)
    try:
        services.milestone_mark_done(acting=request.actor, relationship=relationship, milestone=milestone)
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, gettext("“%(title)s” marked done.") % {"title": milestone.title})
    return redirect("mentorships:relationship", relationship.pk)
