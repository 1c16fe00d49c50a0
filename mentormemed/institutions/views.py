"""Institution admin pages: members, invitations, roster, reviews, criteria, subscription."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import get_scoped_or_404, requires
from mentormemed.core.audit import audit_request
from mentormemed.core.onboarding import checklist, prepare_checklists, progress
from mentormemed.institutions import selectors, services
from mentormemed.institutions.forms import CriteriaForm, InviteForm, ReviewForm, RosterForm, StatusForm
from mentormemed.institutions.models import Invitation, Membership, RosterImport

PAGE_SIZE = 50


@requires("institution.members")
def members(request):
    institution = request.actor.institution
    role, status, query = (request.GET.get(k, "").strip() for k in ("role", "status", "q"))
    review = request.GET.get("review") == "pending"
    qs = selectors.institution_members(
        institution=institution, role=role, status=status, query=query, awaiting_review=review
    )
    page = Paginator(qs.prefetch_related("institution__criteria"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for membership in prepare_checklists(list(page)):
        rows.append({"m": membership, "progress": progress(checklist(membership))})
    invitations = institution.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)[:50]
    return render(
        request,
        "institutions/members.html",
        {
            "page": page,
            "rows": rows,
            "role": role,
            "status": status,
            "q": query,
            "review": review,
            "invitations": invitations,
        },
    )


@requires("institution.member_detail")
def member_detail(request, pk: int):
    membership = get_scoped_or_404(
        Membership.objects.select_related("user", "eligibility", "institution"), request.actor, pk=pk
    )
    audit_request(request, action="member.view", obj=membership)  # eligibility is sensitive (R26)
    steps = checklist(membership)
    return render(
        request,
        "institutions/member_detail.html",
        {
            "m": membership,
            "steps": steps,
            "onboarded": membership.role != "admin" and progress(steps).complete,
            "attestations": membership.criterion_attestations.select_related("criterion"),
            "status_form": StatusForm(),
            "review_form": ReviewForm(),
        },
    )


@requires("institution.invite")
@require_http_methods(["GET", "POST"])
def invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(acting=request.actor, institution=request.actor.institution, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, gettext("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("institutions:invite")
    return render(request, "institutions/invite.html", {"form": form, "roster_form": RosterForm()})


@requires("institution.invite")
@require_http_methods(["GET", "POST"])
def roster(request):
    """Upload: the whole file is checked here (fast, nothing invited); inviting runs in the background."""
    form = RosterForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = services.roster_check(
            acting=request.actor,
            institution=request.actor.institution,
            data=upload.read(services.MAX_ROSTER_BYTES + 1),
            file_name=upload.name or "",
        )
        if result.ok:
            return redirect("institutions:roster_import", pk=result.roster.pk)
    recent = RosterImport.objects.filter(institution=request.actor.institution).defer("rows")[:5]
    return render(request, "institutions/roster.html", {"form": form, "result": result, "recent": recent})


@requires("institution.invite")
def roster_import(request, pk: int):
    """The checked roster waiting for confirmation, then its progress (the page refreshes itself
    while it runs) and, at the end, the report."""
    roster = get_scoped_or_404(RosterImport.objects.select_related("uploaded_by"), request.actor, pk=pk)
    context = {"roster": roster, "refresh": roster.status in (RosterImport.Status.QUEUED, RosterImport.Status.RUNNING)}
    if roster.status == RosterImport.Status.READY:
        context["already_members"] = services.roster_already_members(roster)
    return render(request, "institutions/roster_import.html", context)


@requires("institution.invite")
@require_POST
def roster_import_action(request, pk: int, action: str):
    roster = get_scoped_or_404(RosterImport.objects.all(), request.actor, pk=pk)
    try:
        if action == "confirm":
            services.roster_confirm(acting=request.actor, roster=roster)
            messages.success(
                request,
                gettext("Inviting %(total)s people in the background; this page shows how far it got.")
                % {"total": roster.total},
            )
        elif action == "discard":
            if services.roster_discard(acting=request.actor, roster=roster):
                messages.info(request, gettext("The roster was discarded; nobody was invited."))
            return redirect("institutions:roster")
        else:
            messages.error(request, gettext("Unknown action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("institutions:roster_import", pk=roster.pk)


@requires("institution.invite")
@require_POST
def invitation_action(request, pk: int, action: str):
    invitation = get_scoped_or_404(Invitation.objects.all(), request.actor, pk=pk)
    try:
        if action == "revoke":
            if services.invitation_revoke(acting=request.actor, invitation=invitation):
                messages.success(
                    request, gettext("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
                )
            else:
                messages.info(request, gettext("That invitation was no longer open."))
        elif action == "resend":
            services.invitation_resend(acting=request.actor, invitation=invitation)
            messages.success(request, gettext("A new link was sent to %(email)s.") % {"email": invitation.email})
        else:
            raise ValidationError(gettext("Unknown action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("institutions:members")


@requires("institution.membership_status")
@require_POST
def member_status(request, pk: int):
    membership = get_scoped_or_404(Membership.objects.select_related("user"), request.actor, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid() and form.cleaned_data["status"] == "ended" and membership.status != "ended":
        # Ending is final: it asks why and shows what follows before anything changes.
        confirmed = request.POST.get("confirm") == "1"
        if confirmed and form.cleaned_data["end_reason"]:
            try:
                services.membership_set_status(acting=request.actor, membership=membership, **form.cleaned_data)
                messages.success(
                    request, gettext("%(name)s's membership has ended.") % {"name": membership.user.display_name}
                )
                return redirect("institutions:member_detail", pk=membership.pk)
            except ValidationError as exc:
                form.add_error(None, exc)
        elif confirmed:
            form.add_error("end_reason", gettext("Say why the membership ends."))
        return render(
            request,
            "institutions/member_end.html",
            {"m": membership, "form": form, "why_not_graduate": selectors.graduate_standing(membership)},
        )
    if form.is_valid():
        try:
            services.membership_set_status(acting=request.actor, membership=membership, **form.cleaned_data)
            messages.success(request, gettext("Membership updated."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, gettext("Choose what to do with this membership."))
    return redirect("institutions:member_detail", pk=membership.pk)


@requires("institution.review")
@require_POST
def member_review(request, pk: int):
    membership = get_scoped_or_404(Membership.objects.select_related("eligibility"), request.actor, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose confirm or reject."))
        return redirect("institutions:member_detail", pk=pk)
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
    try:
        if membership.role == "mentee":
            services.eligibility_review(acting=request.actor, membership=membership, decision=decision, note=note)
        elif membership.role == "mentor":
            services.criteria_review(acting=request.actor, membership=membership, decision=decision)
        else:
            raise ValidationError(gettext("Admins have nothing to review."))
        messages.success(request, gettext("Review recorded."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("institutions:member_detail", pk=pk)


@requires("institution.settings")
@require_http_methods(["GET", "POST"])
def criteria(request):
    institution = request.actor.institution
    current = "\n".join(institution.criteria.filter(active=True).values_list("text", flat=True))
    form = CriteriaForm(request.POST or None, initial={"criteria_text": current})
    if request.method == "POST" and form.is_valid():
        services.criteria_set(
            acting=request.actor, institution=institution, lines=form.cleaned_data["criteria_text"].splitlines()
        )
        messages.success(request, gettext("Mentor criteria saved."))
        return redirect("institutions:criteria")
    return render(request, "institutions/criteria.html", {"form": form})


@requires("institution.subscription")
def subscription(request):
    institution = request.actor.institution
    return render(
        request,
        "institutions/subscription.html",
        {
            "current": selectors.current_subscription(institution),
            "has_access": request.actor.subscription_active,
            "history": institution.subscriptions.all(),
            "supply": selectors.mentor_supply(institution),
            "renewal": services.renewal_offer(institution),
        },
    )


@requires("institution.renew")
@require_POST
def subscription_renew(request):
    if request.POST.get("confirm") != "on":
        messages.error(
            request, gettext("Tick the confirmation that you may commit your institution to the fee, then renew.")
        )
        return redirect("institutions:subscription")
    try:
        renewed = services.subscription_renew_by_admin(acting=request.actor, institution=request.actor.institution)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("institutions:subscription")
    messages.success(
        request,
        gettext(
            "Renewed: %(start)s to %(end)s. Your members have full access again; "
            "invoice %(invoice_number)s is due by %(due)s."
        )
        % {
            "start": date_format(renewed.term_start, "LONG_DATE_FORMAT"),
            "end": date_format(renewed.term_end, "LONG_DATE_FORMAT"),
            "invoice_number": renewed.invoice_number,
            "due": date_format(renewed.invoice_due, "MONTH_DAY_FORMAT"),
        },
    )
    return redirect("institutions:subscription")
