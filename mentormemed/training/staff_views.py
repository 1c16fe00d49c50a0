"""Staff pages: author, version and publish modules; see and export CME claims (R21, R22)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import requires
from mentormemed.core.audit import audit_request
from mentormemed.core.clock import platform_today
from mentormemed.core.languages import language_name, source_language, translation_codes
from mentormemed.core.translations import translation_page, translation_rows
from mentormemed.institutions.models import Institution
from mentormemed.training import conf, exports, selectors, services
from mentormemed.training.forms import DraftForm, ModuleForm, ModuleTranslationForm, QuestionForm, ResourceForm
from mentormemed.training.models import Module, Question, Resource
from mentormemed.training.rendering import render_markdown


@requires("staff.training")
def modules(request):
    qs = (
        Module.objects.select_related("current_version")
        .annotate(
            drafts=Count("versions", filter=Q(versions__published_at__isnull=True), distinct=True),
            completions=Count("versions__completions", distinct=True),
        )
        .order_by("position", "title")
    )
    return render(request, "training/staff/modules.html", {"modules": qs})


@requires("staff.training")
@require_http_methods(["GET", "POST"])
def module_new(request):
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            module = services.module_create(acting=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext("“%(title)s” created as a draft. Write its content, then publish.") % {"title": module.title},
            )
            return redirect("training:staff_module", pk=module.pk)
    return render(request, "training/staff/module_new.html", {"form": form})


@requires("staff.training")
@require_http_methods(["GET", "POST"])
def module_edit(request, pk: int):
    """One page for a module: its settings (take effect at once) and its draft version (published later)."""
    module = get_object_or_404(Module.objects.select_related("current_version"), pk=pk)
    draft = services.draft_of(module)
    module_form = ModuleForm(instance=module, prefix="m")
    draft_form = DraftForm(instance=draft, prefix="d") if draft else None
    if request.method == "POST":
        if "save_module" in request.POST:
            module_form = ModuleForm(request.POST, instance=module, prefix="m")
            if module_form.is_valid():
                fields = {k: module_form.cleaned_data[k] for k in services.MODULE_FIELDS}
                services.module_update(acting=request.actor, module=module, **fields)
                messages.success(request, gettext("Module settings saved."))
                return redirect("training:staff_module", pk=pk)
        elif "start_draft" in request.POST:
            services.draft_for(acting=request.actor, module=module)
            messages.success(request, gettext("A new draft was started from the current version."))
            return redirect("training:staff_module", pk=pk)
        elif "save_draft" in request.POST and draft:
            draft_form = DraftForm(request.POST, instance=draft, prefix="d")
            if draft_form.is_valid():
                try:
                    fields = {k: draft_form.cleaned_data[k] for k in services.VERSION_FIELDS}
                    draft.refresh_from_db()  # the bound form wrote into the instance; the service decides
                    services.draft_update(acting=request.actor, version=draft, **fields)
                except ValidationError as exc:
                    draft_form.add_error(None, exc)
                else:
                    messages.success(request, gettext("Draft version %(version)s saved.") % {"version": draft.version})
                    return redirect("training:staff_module", pk=pk)
    return render(
        request,
        "training/staff/module_edit.html",
        {
            "module": module,
            "draft": draft,
            "module_form": module_form,
            "draft_form": draft_form,
            "questions": draft.questions.prefetch_related("choices") if draft else [],
            "resources": draft.resources.all() if draft else [],
            "problems": services.publish_problems(draft) if draft else [],
            "versions": module.versions.filter(published_at__isnull=False).select_related("published_by"),
            "resource_form": ResourceForm(),
            "translations": translation_rows(selectors.translations_of(module)),
        },
    )


@requires("staff.training")
@require_http_methods(["GET", "POST"])
def module_translation(request, pk: int, language: str):
    """Write or edit the translation of the module's current version into one language (issue 19)."""
    if language not in translation_codes():
        raise Http404
    module = get_object_or_404(Module.objects.select_related("current_version"), pk=pk)
    if module.current_version is None:
        messages.error(request, gettext("Publish the module before translating it."))
        return redirect("training:staff_module", pk=pk)
    version = selectors.version_with_check(module.current_version)
    saved = selectors.translations_of(module).get(language)
    earlier = None if saved else selectors.earlier_translation(version, language)
    form = ModuleTranslationForm(
        request.POST or None, version=version, initial=ModuleTranslationForm.initial_from(saved or earlier, version)
    )
    return translation_page(
        request,
        form=form,
        version=version,
        language=language,
        saved=saved,
        earlier=earlier,
        save=lambda: services.module_translation_save(
            acting=request.actor,
            version=version,
            language=language,
            title=form.cleaned_data["title"],
            summary=form.cleaned_data["summary"],
            body=form.cleaned_data["body"],
            questions=form.translated_questions(),
        ),
        saved_message=gettext(
            "Translation into %(language)s of version %(version)s saved; learners who read %(language)s see it now."
        )
        % {"language": language_name(language), "version": version.version},
        done_url=reverse("training:staff_module", args=[pk]),
        template="training/staff/translation.html",
        context={"module": module},
    )


@requires("staff.training")
def module_preview(request, pk: int):
    """The draft (or current version) as a learner will read it."""
    module = get_object_or_404(Module.objects.select_related("current_version"), pk=pk)
    version = services.draft_of(module) or module.current_version
    if version is None:
        messages.error(request, gettext("Nothing to preview yet."))
        return redirect("training:staff_module", pk=pk)
    version = selectors.version_with_check(version)
    return render(
        request,
        "training/staff/preview.html",
        {
            "module": module,
            "version": version,
            "body": render_markdown(version.body),
            "content_lang": source_language(),
        },
    )


@requires("staff.training")
@require_POST
def module_publish(request, pk: int):
    module = get_object_or_404(Module, pk=pk)
    try:
        version = services.module_publish(acting=request.actor, module=module)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        note = " " + gettext("Everyone in its audience must attest the new version again.") if module.required else ""
        messages.success(
            request,
            gettext("Published version %(version)s of “%(title)s”.%(note)s")
            % {"version": version.version, "title": module.title, "note": note},
        )
    return redirect("training:staff_module", pk=pk)


@requires("staff.training")
@require_POST
def module_required(request, pk: int):
    module = get_object_or_404(Module, pk=pk)
    required = request.POST.get("required") == "1"
    services.module_set_required(acting=request.actor, module=module, required=required)
    messages.success(
        request,
        (gettext("“%(title)s” is now required.") if required else gettext("“%(title)s” is now optional."))
        % {"title": module.title},
    )
    if request.POST.get("next") == "list":
        return redirect("training:staff_modules")
    return redirect("training:staff_module", pk=pk)


@requires("staff.training")
@require_POST
def draft_discard(request, pk: int):
    module = get_object_or_404(Module, pk=pk)
    try:
        services.draft_discard(acting=request.actor, module=module)
        messages.success(request, gettext("Draft discarded."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("training:staff_module", pk=pk)


def _draft_or_redirect(request, module):
    draft = services.draft_of(module)
    if draft is None:
        messages.error(request, gettext("Start a draft first: published versions never change."))
    return draft


@requires("staff.training")
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int, qpk: int | None = None):
    module = get_object_or_404(Module, pk=pk)
    draft = _draft_or_redirect(request, module)
    if draft is None:
        return redirect("training:staff_module", pk=pk)
    question = get_object_or_404(Question.objects.prefetch_related("choices"), pk=qpk, version=draft) if qpk else None
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(
                acting=request.actor,
                version=draft,
                question=question,
                text=form.cleaned_data["text"],
                explanation=form.cleaned_data["explanation"],
                choices=form.choices(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Question saved."))
            return redirect("training:staff_module", pk=pk)
    return render(
        request, "training/staff/question.html", {"module": module, "draft": draft, "form": form, "question": question}
    )


@requires("staff.training")
@require_POST
def question_delete(request, pk: int, qpk: int):
    module = get_object_or_404(Module, pk=pk)
    question = get_object_or_404(Question, pk=qpk, version__module=module, version__published_at__isnull=True)
    services.question_delete(acting=request.actor, question=question)
    messages.success(request, gettext("Question removed from the draft."))
    return redirect("training:staff_module", pk=pk)


@requires("staff.training")
@require_POST
def resource_add(request, pk: int):
    module = get_object_or_404(Module, pk=pk)
    draft = _draft_or_redirect(request, module)
    form = ResourceForm(request.POST, request.FILES)
    if draft and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.resource_add(
                acting=request.actor,
                version=draft,
                title=form.cleaned_data["title"],
                name=upload.name,
                data=upload.read(conf.max_resource_bytes() + 1),
            )
            messages.success(request, gettext("Resource added to the draft."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    elif draft:
        messages.error(request, gettext("Give the resource a title and choose a file."))
    return redirect("training:staff_module", pk=pk)


@requires("staff.training")
@require_POST
def resource_delete(request, pk: int, rpk: int):
    module = get_object_or_404(Module, pk=pk)
    res = get_object_or_404(Resource, pk=rpk, version__module=module, version__published_at__isnull=True)
    services.resource_delete(acting=request.actor, resource=res)
    messages.success(request, gettext("Resource removed from the draft."))
    return redirect("training:staff_module", pk=pk)


# ---------------------------------------------------------------- CME claims


def _claim_filters(request) -> dict:
    def day(key):
        try:
            return dt.date.fromisoformat(request.GET.get(key, ""))
        except ValueError:
            return None

    institution = request.GET.get("institution", "")
    return {
        "institution_id": int(institution) if institution.isdigit() else None,
        "start": day("start"),
        "end": day("end"),
    }


@requires("staff.cme")
def claims(request):
    filters = _claim_filters(request)
    qs = selectors.staff_claims(**filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "training/staff/claims.html",
        {
            "page": page,
            "filters": filters,
            "query": request.GET.urlencode(),
            "institutions": Institution.objects.only("pk", "name"),
            "pars_columns": exports.PARS_COLUMNS,
        },
    )


@requires("staff.cme")
def claims_export(request, fmt: str):
    """PARS tab-delimited (``pars``) or CSV (``csv``) of the filtered claims; audited (R26)."""
    if fmt not in ("pars", "csv"):
        fmt = "csv"
    filters = _claim_filters(request)
    qs = selectors.staff_claims(**filters)
    audit_request(
        request,
        action="training.claims_export",
        detail={"format": fmt, **{k: str(v) for k, v in filters.items() if v}},
    )
    stamp = platform_today().isoformat()
    if fmt == "pars":
        response = HttpResponse(exports.pars_tsv(qs), content_type="text/tab-separated-values; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="pars-learners-{stamp}.txt"'
    else:
        response = HttpResponse(exports.claims_csv(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cme-claims-{stamp}.csv"'
    return response
