"""Profile pages: a mentor's comprehensive profile, a mentee's profile, and mentor photos."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from mentormemed.core.access import Actor, requires
from mentormemed.profiles import mentee_steps, services
from mentormemed.profiles.completeness import mentee_completeness, mentor_completeness
from mentormemed.profiles.forms import (
    WHO_SEES_MENTOR,
    IdentityForm,
    MentorProfileForm,
    identity_dimensions,
)
from mentormemed.profiles.models import IdentityOption, MentorProfile
from mentormemed.profiles.visibility import searchable_mentors


@requires("profile.edit")
@require_http_methods(["GET", "POST"])
def me(request):
    """The acting person's own profile: the mentor's comprehensive profile or the mentee's."""
    if request.actor.role == "mentor":
        return _mentor_edit(request)
    return _mentee_edit(request)


def _identity_form(request, membership, who_sees):
    values = membership.identity_values.select_related("option")
    return IdentityForm(
        request.POST or None, prefix="id", dimensions=identity_dimensions(), values=values, who_sees=who_sees
    )


def _save_identities(acting: Actor, form: IdentityForm) -> None:
    options = {o.pk: o for o in IdentityOption.objects.all()}
    for dim, ids, write_in, shared in form.answers():
        services.identity_set(
            acting=acting,
            dimension=dim,
            options=[options[i] for i in ids if i in options],
            write_in=write_in,
            shared=shared,
        )


def _mentor_edit(request):
    membership = request.actor.membership
    profile = services.mentor_profile_for(membership)
    form = MentorProfileForm(request.POST or None, request.FILES or None, instance=profile, prefix="p")
    identity_form = _identity_form(request, membership, "")  # the section says who sees it, once
    if request.method == "POST" and form.is_valid() and identity_form.is_valid():
        try:
            with transaction.atomic():
                upload = form.cleaned_data.get("photo_upload")
                if upload or form.cleaned_data.get("photo_remove"):
                    services.mentor_photo_set(acting=request.actor, upload=upload)
                _save_identities(request.actor, identity_form)
                services.mentor_profile_save(
                    acting=request.actor,
                    fields=form.model_fields(),
                    specialties=form.cleaned_data["specialties"],
                    content_areas=form.cleaned_data["content_areas"],
                    languages=form.cleaned_data["languages"],
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            profile.refresh_from_db()
            if profile.is_complete and profile.search_consent:
                messages.success(request, gettext("Profile saved. Mentees can now find you."))
            else:
                messages.success(request, gettext("Profile saved. Finish the items below so mentees can find you."))
            return redirect("profiles:me")
    return render(
        request,
        "profiles/mentor_edit.html",
        {
            "form": form,
            "identity_form": identity_form,
            "profile": profile,
            "meter": mentor_completeness(profile),
            "who_sees": WHO_SEES_MENTOR,
        },
    )


def _mentee_edit(request):
    """The stepped mentee profile: ``?step=<key>``; each step saves on its own and moves on."""
    profile = services.mentee_profile_for(request.actor.membership)
    step = mentee_steps.step_by_key(request.GET.get("step")) or mentee_steps.first_open_step(profile)
    step_forms = mentee_steps.build(
        step, acting=request.actor, profile=profile, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and step.key != "review" and step_forms.is_valid():
        try:
            mentee_steps.save(step_forms)
        except ValidationError as exc:
            step_forms.forms[0].add_error(None, exc)
        else:
            profile.refresh_from_db()
            messages.success(request, gettext("Saved: %(lower)s.") % {"lower": step.title.lower()})
            following = mentee_steps.next_step(step)
            return redirect(f"{reverse('profiles:me')}?step={following.key}")
    steps = mentee_steps.STEPS
    done = mentee_steps.answered(profile)
    index = mentee_steps.KEYS.index(step.key)
    return render(
        request,
        "profiles/mentee_edit.html",
        {
            "step": step,
            "steps": steps,
            "step_number": index + 1,
            "step_count": len(steps),
            "step_percent": round(100 * (index + 1) / len(steps)),
            "step_list": [(s, done.get(s.key, False)) for s in steps],
            "previous": mentee_steps.previous_step(step),
            "next": mentee_steps.next_step(step),
            "step_forms": step_forms,
            "summary": mentee_steps.summary(profile) if step.key == "review" else None,
            "profile": profile,
            "meter": mentee_completeness(profile),
        },
    )


@requires("profile.photo")
def photo(request, pk: int):
    """A mentor's photo, served only to people who may see that mentor (or the mentor)."""
    actor = request.actor
    profile = MentorProfile.objects.filter(pk=pk, membership__user=request.user).first()
    if profile is None and actor.role == "mentee":
        profile = searchable_mentors(viewer=actor.membership).filter(pk=pk).first()
    if profile is None or not profile.photo:
        raise Http404
    response = FileResponse(profile.photo.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
