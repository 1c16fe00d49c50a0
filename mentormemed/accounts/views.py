"""Invitation sign-up and the onboarding steps owned by accounts."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from mentormemed.accounts import services
from mentormemed.accounts.forms import (
    AccountSettingsForm,
    AgreementForm,
    CriteriaForm,
    EligibilityForm,
    InvitationSignupForm,
)
from mentormemed.accounts.invitations import invitations
from mentormemed.core.access import Actor, public, requires


@public
@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    """The link from the invitation e-mail: create an account, or accept while signed in."""
    invite = invitations().by_token(token)
    problem = invitations().problem(invite)
    context = {"invitation": invite, "problem": problem}
    if problem:
        return render(request, "accounts/invitation.html", context, status=410 if invite else 404)
    if request.user.is_authenticated:
        return _accept_signed_in(request, token, invite, context)
    form = InvitationSignupForm(
        request.POST or None,
        initial={
            "first_name": invite.first_name,
            "last_name": invite.last_name,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            user, _membership = services.account_create_from_invitation(
                token=token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, gettext("Welcome to MentorMeMed, %(display_name)s.") % {"display_name": user.display_name}
            )
            response = perform_login(request, user, email_verification="none", redirect_url="/onboarding/")
            # They just chose a password: count it as a fresh authentication so
            # MFA enrolment (required for admins) does not ask for it again.
            record_authentication(request, user, method="password", email=user.email, reauthenticated=True)
            return response
    context["form"] = form
    return render(request, "accounts/invitation.html", context)


def _accept_signed_in(request, token, invite, context):
    if request.user.email.lower() != invite.email.lower():
        context["problem"] = (
            f"This invitation was sent to {invite.email}, but you are signed in as "
            f"{request.user.email}. Sign out, then open the link again."
        )
        return render(request, "accounts/invitation.html", context, status=403)
    if request.method == "POST":
        try:
            membership = invitations().accept(token=token, acting=request.actor)
        except invitations().error as exc:
            context["problem"] = str(exc)
            return render(request, "accounts/invitation.html", context, status=410)
        request.session["acting_membership_id"] = membership.pk
        messages.success(
            request,
            gettext("You joined %(institution)s as %(get_role_display)s.")
            % {"institution": membership.institution, "get_role_display": membership.get_role_display().lower()},
        )
        return redirect("core:onboarding")
    context["signed_in"] = True
    return render(request, "accounts/invitation.html", context)


@requires("onboarding")
@require_http_methods(["GET", "POST"])
def agreement(request):
    membership = request.actor.membership
    current = services.current_agreement(membership.role)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and current and form.is_valid():
        try:
            services.agreement_accept(acting=request.actor, agreement=current)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("accounts:agreement")
        messages.success(
            request,
            gettext("You accepted the %(title)s (version %(version)s).")
            % {"title": current.title, "version": current.version},
        )
        return redirect("core:onboarding")
    accepted = current and request.user.agreement_acceptances.filter(agreement=current).first()
    return render(request, "accounts/agreement.html", {"agreement": current, "form": form, "accepted": accepted})


@requires("onboarding.eligibility")
@require_http_methods(["GET", "POST"])
def eligibility(request):
    membership = request.actor.membership
    existing = getattr(membership, "eligibility", None)
    initial = {}
    if existing:
        initial = {k: getattr(existing, k) for k in ("urim", "first_generation", "economically_disadvantaged")}
    form = EligibilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.eligibility_attest(
            acting=request.actor,
            urim=form.cleaned_data["urim"],
            first_generation=form.cleaned_data["first_generation"],
            economically_disadvantaged=form.cleaned_data["economically_disadvantaged"],
        )
        messages.success(request, gettext("Thank you. Your program office will confirm your eligibility."))
        return redirect("core:onboarding")
    return render(request, "accounts/eligibility.html", {"form": form, "existing": existing})


@requires("onboarding.criteria")
@require_http_methods(["GET", "POST"])
def criteria(request):
    membership = request.actor.membership
    active = membership.institution.criteria.filter(active=True)
    form = CriteriaForm(request.POST or None, criteria=active)
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_attest(acting=request.actor, criterion_ids=form.criterion_ids())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Thank you. Your program office will confirm the criteria."))
            return redirect("core:onboarding")
    attested = membership.criterion_attestations.select_related("criterion")
    return render(request, "accounts/criteria.html", {"form": form, "attested": attested})


@requires("account.settings")
@require_http_methods(["GET", "POST"])
def account_settings(request):
    user = request.user
    initial = {name: getattr(user, name) for name in services.SETTINGS_FIELDS}
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data.setdefault("language", user.language)  # a form without the field keeps the language
    form = AccountSettingsForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.account_settings_save(acting=Actor.for_user(user), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            translation.activate(user.language)  # the confirmation already speaks the chosen language
            messages.success(request, gettext("Your settings are saved.") if changed else gettext("Nothing changed."))
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form})
