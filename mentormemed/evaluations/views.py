"""Mentee evaluations, surveys, the mentor's aggregate feedback, staff instruments, graduates (R18–R20)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from mentormemed.core.access import Actor, public, requires
from mentormemed.core.conf import product
from mentormemed.core.languages import language_name, translation_codes
from mentormemed.core.translations import translation_page, translation_rows
from mentormemed.evaluations import selectors, services
from mentormemed.evaluations.forms import InstrumentForm, InstrumentTranslationForm, ResponseForm
from mentormemed.evaluations.models import Instrument


def _current(kind: str):
    return Instrument.objects.select_related("current_version").get(kind=kind).current_version


@requires("evaluations.mine")
def index(request):
    mentee = request.actor.membership
    return render(
        request,
        "evaluations/index.html",
        {
            "open": selectors.open_evaluations(mentee=mentee),
            "surveys": selectors.open_surveys(membership=mentee),
            "submitted": selectors.submitted_evaluations(mentee=mentee)[:50],
            "minimum": product.feedback_batch_mentees,
            "delay": product.feedback_delay_days,
        },
    )


@requires("evaluations.mine")
@require_http_methods(["GET", "POST"])
def evaluate(request, pk: int):
    from mentormemed.mentorships.models import Relationship

    mentee = request.actor.membership
    relationship = get_object_or_404(
        Relationship.objects.select_related("mentor__membership__user"), pk=pk, mentee=mentee
    )
    found = selectors.find_open_evaluation(mentee=mentee, relationship_id=relationship.pk)
    version = _current(Instrument.Kind.MENTOR_EVALUATION)
    text = selectors.instrument_text(version=version, language=request.LANGUAGE_CODE)
    form = ResponseForm(request.POST or None, version=version, text=text)
    if request.method == "POST" and found is not None and form.is_valid():
        try:
            services.evaluation_submit(acting=request.actor, relationship_id=relationship.pk, answers=form.answers())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, gettext("Thank you. Your evaluation is recorded; your mentor will never see it alone.")
            )
            return redirect("evaluations:index")
    return render(
        request,
        "evaluations/evaluate.html",
        {"relationship": relationship, "open": found, "version": version, "text": text, "form": form},
    )


@requires("evaluations.surveys")
@require_http_methods(["GET", "POST"])
def survey(request, kind: str):
    if kind not in Instrument.Kind.values:
        raise Http404
    membership = request.actor.membership
    found = next((s for s in selectors.open_surveys(membership=membership) if s.instrument.kind == kind), None)
    version = _current(kind)
    text = selectors.instrument_text(version=version, language=request.LANGUAGE_CODE)
    form = ResponseForm(request.POST or None, version=version, text=text)
    if request.method == "POST" and found is not None and form.is_valid():
        try:
            services.survey_submit(acting=request.actor, kind=kind, answers=form.answers())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Thank you for answering."))
            return redirect("core:home")
    return render(
        request,
        "evaluations/survey.html",
        {"instrument": version.instrument, "version": version, "text": text, "open": found, "form": form},
    )


@requires("evaluations.feedback")
def feedback(request):
    from mentormemed.mentorships.selectors import mentor_profile_of

    mentor = mentor_profile_of(request.actor.membership)
    summary = selectors.mentor_feedback(mentor=mentor) if mentor else None
    return render(
        request,
        "evaluations/feedback.html",
        {"summary": summary, "mentor": mentor, "delay": product.feedback_delay_days},
    )


# ------------------------------------------------------------------ staff


@requires("staff.instruments")
def instruments(request):
    rows = Instrument.objects.select_related("current_version").order_by("kind")
    return render(request, "evaluations/staff/instruments.html", {"instruments": rows})


@requires("staff.instruments")
@require_http_methods(["GET", "POST"])
def instrument(request, pk: int):
    instrument = get_object_or_404(Instrument.objects.select_related("current_version"), pk=pk)
    current = instrument.current_version
    initial = {"intro": current.intro, "items": services.format_items(current.items)} if current else {}
    form = InstrumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.instrument_publish(
                acting=request.actor,
                instrument=instrument,
                intro=form.cleaned_data["intro"],
                items_text=form.cleaned_data["items"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error("items", exc)
        else:
            messages.success(
                request,
                gettext("Published version %(number)s. New answers use it from now on.") % {"number": version.number},
            )
            return redirect("evaluations:instrument", pk=instrument.pk)
    return render(
        request,
        "evaluations/staff/instrument.html",
        {
            "instrument": instrument,
            "form": form,
            "versions": instrument.versions.select_related("published_by").order_by("-number"),
            "preview": ResponseForm(version=current) if current else None,
            "translations": translation_rows(selectors.translations_of(instrument)),
        },
    )


@requires("staff.instruments")
@require_http_methods(["GET", "POST"])
def instrument_translation(request, pk: int, language: str):
    """Write or edit the translation of the instrument's current version into one language (issue 19)."""
    if language not in translation_codes():
        raise Http404
    instrument = get_object_or_404(Instrument.objects.select_related("current_version"), pk=pk)
    version = instrument.current_version
    if version is None:
        raise Http404
    saved = selectors.translations_of(instrument).get(language)
    earlier = None if saved else selectors.earlier_translation(version, language)
    form = InstrumentTranslationForm(
        request.POST or None, version=version, initial=InstrumentTranslationForm.initial_from(saved or earlier, version)
    )
    return translation_page(
        request,
        form=form,
        version=version,
        language=language,
        saved=saved,
        earlier=earlier,
        save=lambda: services.instrument_translation_save(
            acting=request.actor,
            version=version,
            language=language,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            intro=form.cleaned_data["intro"],
            items=form.translated_items(),
        ),
        saved_message=gettext(
            "Translation into %(language)s of version %(number)s saved; people who read %(language)s see it now."
        )
        % {"language": language_name(language), "number": version.number},
        done_url=reverse("evaluations:instrument", args=[instrument.pk]),
        template="evaluations/staff/translation.html",
        context={"instrument": instrument},
    )


# ------------------------------------------------------------------ R20: graduates (signed link, no sign-in)


@public
@require_http_methods(["GET", "POST"])
def graduate(request, token: str):
    membership = services.membership_from_token(token)
    if membership is None:
        raise Http404
    version = _current(Instrument.Kind.CAREER_UPDATE)
    text = selectors.instrument_text(version=version, language=request.LANGUAGE_CODE)
    form = ResponseForm(request.POST or None, version=version, text=text, prefix="exit")
    answered = membership.survey_responses.filter(instrument=version.instrument, occasion="exit").exists()
    if request.method == "POST" and request.POST.get("action") == "mentor":
        services.graduate_interested(membership=membership)
        messages.success(
            request,
            gettext("Thank you! %(name)s will send you a mentor invitation.") % {"name": membership.institution.name},
        )
        return redirect("evaluations:graduate", token=token)
    if request.method == "POST" and not answered and form.is_valid():
        try:
            services.survey_submit(  # the graduate the signed link names, without signing in
                acting=Actor.for_membership(membership),
                kind=Instrument.Kind.CAREER_UPDATE,
                answers=form.answers(),
                occasion="exit",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Thank you for your career update."))
            return redirect("evaluations:graduate", token=token)
    offer = getattr(membership, "mentor_invitation_offer", None)
    return render(
        request,
        "evaluations/graduate.html",
        {
            "membership": membership,
            "offer": offer,
            "form": form,
            "version": version,
            "text": text,
            "answered": answered,
        },
    )
