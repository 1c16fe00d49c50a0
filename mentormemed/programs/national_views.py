"""National programs: staff create and run them across the network; each institution's admin sees
their own members' part (R30). The round pages are the institution programs' own (``views``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import requires
from mentormemed.core.feedback import error_message
from mentormemed.programs import selectors, services, views
from mentormemed.programs.forms import InviteByEmailForm, NationalProgramForm

STAFF_URLS = {
    "list": "programs:staff_list",
    "detail": "programs:staff_detail",
    "solve": "programs:staff_solve",
    "round": "programs:staff_round",
    "publish": "programs:staff_round_publish",
    "lock": "programs:staff_proposal_lock",
    "swap": "programs:staff_proposal_swap",
}


# ------------------------------------------------------------------------- staff


@requires("programs.national")
def staff_list(request):
    return render(request, "programs/staff_list.html", {"programs": selectors.national_programs()})


@requires("programs.national")
@require_http_methods(["GET", "POST"])
def staff_create(request):
    if request.method == "POST":
        form = NationalProgramForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            settings = {key: data[key] for key in views.SETTINGS if key != "mentor_reach"}
            try:
                program = services.program_create(
                    acting=request.actor,
                    template_key=data["template"],
                    national=True,
                    institutions=list(data["institutions"]),
                    **settings,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, gettext("%(name)s is ready. Invite people or let them opt in.") % {"name": program.name}
                )
                return redirect("programs:staff_detail", program.pk)
    else:
        form = NationalProgramForm(initial=NationalProgramForm.initial_for(request.GET.get("template", "")))
    return render(request, "programs/admin_create.html", {"form": form, "national": True})


@requires("programs.national")
def staff_detail(request, pk: int):
    program = selectors.national_program_for_staff_or_404(actor=request.actor, pk=pk)
    return render(
        request,
        "programs/staff_detail.html",
        {
            "program": program,
            "progress": selectors.program_progress(program=program),
            "by_institution": selectors.enrolment_by_institution(program=program),
            "rounds": program.rounds.all(),
            "invite_form": InviteByEmailForm(),
            "modules": program.required_modules.all(),
        },
    )


@requires("programs.national")
@require_POST
def staff_invite(request, pk: int):
    program = selectors.national_program_for_staff_or_404(actor=request.actor, pk=pk)
    form = InviteByEmailForm(request.POST)
    if not form.is_valid():
        errors = form.errors.get("emails") or [gettext("Write at least one e-mail address.")]
        messages.error(request, " ".join(str(e) for e in errors))
        return redirect("programs:staff_detail", program.pk)
    people, refused = selectors.national_invitees(program=program, emails=form.cleaned_data["emails"])
    try:
        n = services.enrol_invite(acting=request.actor, program=program, memberships=people)
    except ValidationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, ngettext("%(n)s invitation sent.", "%(n)s invitations sent.", n) % {"n": n})
    if refused:
        messages.warning(
            request,
            gettext("Not invited (no such learner of the program's institutions or national mentor): %(emails)s")
            % {"emails": ", ".join(refused)},
        )
    return redirect("programs:staff_detail", program.pk)


@requires("programs.national")
@require_POST
def staff_solve(request, pk: int):
    program = selectors.national_program_for_staff_or_404(actor=request.actor, pk=pk)
    return views.solve_and_redirect(request, program, STAFF_URLS)


@requires("programs.national")
def staff_round(request, pk: int):
    return views.render_round(request, selectors.round_for_staff_or_404(actor=request.actor, pk=pk), STAFF_URLS)


@requires("programs.national")
@require_POST
def staff_round_publish(request, pk: int):
    round_ = selectors.round_for_staff_or_404(actor=request.actor, pk=pk)
    return views.publish_and_redirect(request, round_, STAFF_URLS)


@requires("programs.national")
@require_POST
def staff_proposal_lock(request, pk: int):
    proposal = selectors.proposal_for_staff_or_404(actor=request.actor, pk=pk)
    return views.lock_and_redirect(request, proposal, STAFF_URLS)


@requires("programs.national")
@require_POST
def staff_proposal_swap(request, pk: int):
    proposal = selectors.proposal_for_staff_or_404(actor=request.actor, pk=pk)
    return views.swap_and_redirect(request, proposal, STAFF_URLS)


# ------------------------------------------------------------ institution admins


@requires("programs.manage")
def admin_national(request, pk: int):
    """An institution's admin: their own members in a national program and the counts, never
    another institution's people (R30)."""
    institution = request.actor.institution
    program = selectors.national_program_for_admin_or_404(actor=request.actor, pk=pk)
    return render(
        request,
        "programs/admin_national.html",
        {
            "program": program,
            "enrolments": selectors.own_enrolments(program=program, institution=institution),
            "own": selectors.own_matching(program=program, institution=institution),
            "progress": selectors.program_progress(program=program),
        },
    )
