"""Learner pages (library, reading, knowledge check, attestation), CME, verification, admin overview."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import STAFF, public, requires
from mentormemed.core.clock import platform_today
from mentormemed.training import conf, pdf, selectors, services
from mentormemed.training.forms import ActivityEvaluationForm, AttestForm, ClaimForm, KnowledgeCheckForm
from mentormemed.training.models import ActivityEvaluation, CmeClaim, Completion, Module, ModuleStatus, Resource
from mentormemed.training.rendering import render_markdown
from mentormemed.training.teaching import has_teaching_sources, teaching_log

PAGE_SIZE = 50


def _learner_module(request, slug: str) -> Module:
    """A published module of the learner's audience; anything else is a 404."""
    module = get_object_or_404(
        Module.objects.select_related("current_version"), slug=slug, status=ModuleStatus.PUBLISHED
    )
    if not module.for_role(request.actor.role):
        raise Http404
    return module


@requires("training.learn")
def modules(request):
    rows = selectors.library(membership=request.actor.membership)
    texts = selectors.library_texts([r.module for r in rows], language=request.LANGUAGE_CODE)
    for row in rows:
        row.text = texts[row.module.pk]  # type: ignore[attr-defined]
    required = [r for r in rows if r.module.required]
    return render(
        request,
        "training/modules.html",
        {
            "required_rows": required,
            "optional_rows": [r for r in rows if not r.module.required],
            "required_done": sum(1 for r in required if r.completion),
        },
    )


@requires("training.learn")
def module(request, slug: str):
    module = _learner_module(request, slug)
    version = selectors.version_with_check(module.current_version)
    text = selectors.module_text(version=version, language=request.LANGUAGE_CODE)
    progress = selectors.module_progress(membership=request.actor.membership, module=module)
    return render(
        request,
        "training/module.html",
        {
            "module": module,
            "version": version,
            "text": text,
            "body": render_markdown(text.body),
            "progress": progress,
            "has_check": bool(version.questions.all()),
            "passed": services.best_passing_attempt(membership=request.actor.membership, version=version),
            "attest_form": AttestForm(),
        },
    )


@requires("training.learn")
@require_http_methods(["GET", "POST"])
def check(request, slug: str):
    """The knowledge check: answer, get per-question feedback, retake as often as needed."""
    module = _learner_module(request, slug)
    version = selectors.version_with_check(module.current_version)
    if not version.questions.all():
        messages.info(request, gettext("This module has no knowledge check; you can attest once you have read it."))
        return redirect("training:module", slug=slug)
    text = selectors.module_text(version=version, language=request.LANGUAGE_CODE)
    form = KnowledgeCheckForm(request.POST or None, version=version, text=text)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.check_submit(acting=request.actor, module=module, answers=form.answers())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("training:module", slug=slug)
        form = KnowledgeCheckForm(version=version, text=text)  # a retake starts blank
    feedback = [_feedback_row(text, f) for f in result.shown_feedback] if result else []
    return render(
        request,
        "training/check.html",
        {"module": module, "version": version, "text": text, "form": form, "result": result, "feedback": feedback},
    )


@dataclass(frozen=True)
class FeedbackRow:
    """One answered question of a passed check, worded in the language the check was read in."""

    question: str
    explanation: str
    chosen: str
    correct: str
    is_correct: bool
    answered: bool


def _feedback_row(text: selectors.ModuleText, f: services.QuestionFeedback) -> FeedbackRow:
    return FeedbackRow(
        question=text.question(f.question),
        explanation=text.explanation(f.question),
        chosen=text.choice(f.chosen) if f.chosen else "",
        correct=text.choice(f.correct_choice),
        is_correct=f.is_correct,
        answered=f.chosen is not None,
    )


@requires("training.learn")
@require_POST
def attest(request, slug: str):
    module = _learner_module(request, slug)
    if not AttestForm(request.POST).is_valid():
        messages.error(request, gettext("Tick the attestation to confirm you completed the module."))
        return redirect("training:module", slug=slug)
    try:
        completion = services.module_attest(acting=request.actor, module=module)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("training:module", slug=slug)
    messages.success(
        request,
        gettext("Recorded: you completed “%(title)s” (version %(version)s) on %(day)s.")
        % {
            "title": selectors.module_text(version=completion.version).title,
            "version": completion.version.version,
            "day": formats.date_format(timezone.localtime(completion.attested_at), "DATE_FORMAT"),
        },
    )
    if request.actor.role == "mentor" and completion.version.carries_cme:
        return redirect("training:claim", slug=slug)
    return redirect("training:modules")


@requires("training.resource")
def resource(request, slug: str, pk: int):
    """Download a resource of a published version the viewer may read (staff: any version)."""
    res = get_object_or_404(Resource.objects.select_related("version__module"), pk=pk, version__module__slug=slug)
    if request.actor.role != STAFF:
        module = res.version.module
        if module.status != ModuleStatus.PUBLISHED or res.version.is_draft or not module.for_role(request.actor.role):
            raise Http404
    try:
        handle = res.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=res.file.name.rsplit("/", 1)[-1])


# ---------------------------------------------------------------- CME (mentors)


@requires("training.cme")
def cme(request):
    """CME home: activities ready to claim, and the transcript of claims."""
    membership = request.actor.membership
    claims = selectors.transcript(membership=membership)
    today = platform_today()
    teaching = None
    if has_teaching_sources():
        teaching = teaching_log(membership=membership, start=today - dt.timedelta(days=365), end=today)
    return render(
        request,
        "training/cme.html",
        {
            "claimable": selectors.claimable_completions(membership=membership),
            "claims": claims,
            "total": selectors.transcript_total(claims),
            "provider": conf.provider_name(),
            "teaching": teaching,
        },
    )


@requires("training.cme")
@require_http_methods(["GET", "POST"])
def claim(request, slug: str):
    module = _learner_module(request, slug)
    membership = request.actor.membership
    completion = (
        Completion.objects.filter(membership=membership, version__module=module, version__cme_max_credits__gt=0)
        .select_related("version")
        .order_by("-version__version")
        .first()
    )
    existing = CmeClaim.objects.filter(membership=membership, completion=completion).first() if completion else None
    if existing:
        messages.info(request, gettext("You have already claimed credit for this activity."))
        return redirect("training:cme")
    if completion is None:
        messages.info(
            request, gettext("Complete and attest this module (passing its knowledge check) to claim credit.")
        )
        return redirect("training:module", slug=slug)
    version = completion.version
    if not ActivityEvaluation.objects.filter(completion=completion).exists():
        return _evaluate(request, module=module, completion=completion)
    form = ClaimForm(request.POST or None, max_credits=version.cme_max_credits, title=module.title)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.cme_claim(acting=request.actor, completion=completion, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext("Credit claimed. Your certificate number is %(certificate_number)s.")
                % {"certificate_number": new.certificate_number},
            )
            return redirect("training:cme")
    return render(
        request,
        "training/claim.html",
        {
            "module": module,
            "version": version,
            "completion": completion,
            "form": form,
            "provider": conf.provider_name(),
            "designation": conf.designation_statement(version.cme_max_credits),
        },
    )


def _evaluate(request, *, module: Module, completion: Completion):
    """Step 1 of claiming: the activity evaluation the accredited provider requires."""
    form = ActivityEvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_evaluate(acting=request.actor, completion=completion, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Thank you — your evaluation is recorded. Now claim your credit."))
            return redirect("training:claim", slug=module.slug)
    return render(
        request,
        "training/evaluate.html",
        {
            "module": module,
            "version": completion.version,
            "completion": completion,
            "form": form,
            "provider": conf.provider_name(),
        },
    )


def _own_claim(request, number: str) -> CmeClaim:
    """The acting mentor's own claim; anyone else's (any institution) is a 404."""
    claim = (
        CmeClaim.objects.select_related("membership__user", "version__module")
        .filter(certificate_number=number, membership=request.actor.membership)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


@requires("training.cme")
def certificate(request, number: str):
    claim = _own_claim(request, number)
    response = HttpResponse(pdf.certificate_pdf(claim), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{claim.certificate_number}.pdf"'
    return response


@requires("training.cme")
def transcript_pdf(request):
    response = HttpResponse(pdf.transcript_pdf(membership=request.actor.membership), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="cme-transcript.pdf"'
    return response


@public
def verify(request):
    """Anyone can look up a certificate number (the address printed on the certificate)."""
    number = request.GET.get("number", "").strip().upper()
    if number and CERTIFICATE_NUMBER.fullmatch(number):
        return redirect("training:verify_number", number=number)
    if number:  # not a number we could have issued: say so, as for an unknown one
        return render(request, "training/verify.html", {"claim": None, "number": number, "unknown": True}, status=404)
    return render(request, "training/verify.html", {"claim": None})


CERTIFICATE_NUMBER = re.compile(r"[A-Z0-9-]{1,40}")


@public
def verify_number(request, number: str):
    claim = selectors.claim_by_number(number)
    if claim is None:
        return render(request, "training/verify.html", {"claim": None, "number": number, "unknown": True}, status=404)
    return render(request, "training/verify.html", pdf.certificate_context(claim))


# ---------------------------------------------------------------- institution admins


@requires("training.institution")
def institution(request):
    """Completion and CME claims of the admin's own institution only."""
    inst = request.actor.institution
    role = request.GET.get("role", "")
    page = Paginator(selectors.institution_learners(institution=inst, role=role), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    missing = selectors.missing_by_membership(page.object_list)
    rows = [{"m": m, "missing": missing.get(m.pk, [])} for m in page]
    claims = selectors.institution_claims(institution=inst)[:25]
    return render(
        request,
        "training/institution.html",
        {
            "page": page,
            "rows": rows,
            "role": role,
            "claims": claims,
            "summary": selectors.institution_summary(institution=inst),
            "claims_url": reverse("training:institution_claims_csv"),
        },
    )


@requires("training.institution")
def institution_claims_csv(request):
    from mentormemed.core.audit import audit_request
    from mentormemed.training.exports import claims_csv

    claims = selectors.institution_claims(institution=request.actor.institution)
    audit_request(request, action="training.claims_export", detail={"format": "csv", "scope": "institution"})
    # Admins see who claimed what, never the identifiers kept only for PARS (NPI, licence, birth day).
    response = HttpResponse(claims_csv(claims, identifiers=False), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cme-claims.csv"'
    return response
