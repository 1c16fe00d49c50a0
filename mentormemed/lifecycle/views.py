"""Data lifecycle pages: the admin's export and retention page, a person's own data and erasure,
staff's schedules, close-outs, certificates and erasure requests (R40)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import requires
from mentormemed.institutions.models import Institution
from mentormemed.lifecycle import closeout as closeouts
from mentormemed.lifecycle import exports, services
from mentormemed.lifecycle.catalogue import INSTITUTION_DATASETS
from mentormemed.lifecycle.certificate import certificate_pdf
from mentormemed.lifecycle.erasure import CME_KEEP_YEARS
from mentormemed.lifecycle.forms import ErasureDecisionForm, ErasureRequestForm, NoteForm, RetentionForm
from mentormemed.lifecycle.models import CloseOut, DataExport, ErasureRequest
from mentormemed.lifecycle.personal import PERSON_DATASETS


def _zip(request, export: DataExport, filename: str):
    try:
        handle = exports.export_download(acting=request.actor, export=export)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    return FileResponse(handle, content_type="application/zip", as_attachment=True, filename=filename)


def _status(request, export: DataExport):
    """The progress fragment, polled by htmx while the export is being built (a whole page when the
    address is opened directly)."""
    template = "lifecycle/_export_status.html" if request.htmx else "lifecycle/export_status.html"
    return render(request, template, {"export": export})


# ------------------------------------------------------------------ institution admin


@requires("lifecycle.institution")
def institution(request):
    inst = request.actor.institution
    return render(
        request,
        "lifecycle/institution.html",
        {
            "exports": DataExport.objects.filter(institution=inst).select_related("requested_by")[:10],
            "schedule": closeouts.schedule_for(inst),
            "closeout": CloseOut.objects.filter(institution=inst).exclude(state=CloseOut.State.CANCELLED).first(),
            "datasets": INSTITUTION_DATASETS,
            "keep_days": exports.EXPORT_KEEP_DAYS,
        },
    )


@requires("lifecycle.institution")
@require_POST
def institution_export(request):
    try:
        exports.export_request(acting=request.actor, institution=request.actor.institution)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("The export is being built; this page shows its progress."))
    return redirect("lifecycle:institution")


def _institution_export(request, pk: int) -> DataExport:
    return get_object_or_404(DataExport, pk=pk, kind=DataExport.Kind.INSTITUTION, institution=request.actor.institution)


@requires("lifecycle.institution")
def institution_export_status(request, pk: int):
    export = _institution_export(request, pk)
    return _status(request, export)


@requires("lifecycle.institution")
def institution_download(request, pk: int):
    export = _institution_export(request, pk)
    response = _zip(request, export, f"mentormemed-export-{export.pk}.zip")
    return response or redirect("lifecycle:institution")


# ------------------------------------------------------------------ a person's own data


@requires("lifecycle.mine")
def mine(request):
    user = request.user
    return render(
        request,
        "lifecycle/mine.html",
        {
            "exports": DataExport.objects.filter(person=user)[:1],
            "datasets": PERSON_DATASETS,
            "erasure": ErasureRequest.objects.filter(person=user).first(),
            "form": ErasureRequestForm(),
            "cme_years": CME_KEEP_YEARS,
            "keep_days": exports.EXPORT_KEEP_DAYS,
        },
    )


@requires("lifecycle.mine")
@require_POST
def mine_export(request):
    try:
        exports.export_request(acting=request.actor)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Your archive is being built; this page shows its progress."))
    return redirect("lifecycle:mine")


def _own_latest(request) -> DataExport:
    """A person has one current archive: the latest they asked for (the URL carries no id)."""
    export = DataExport.objects.filter(person=request.user).first()
    if export is None:
        raise Http404
    return export


@requires("lifecycle.mine")
def mine_export_status(request):
    return _status(request, _own_latest(request))


@requires("lifecycle.mine")
def mine_download(request):
    export = _own_latest(request)
    return _zip(request, export, f"my-mentormemed-data-{export.pk}.zip") or redirect("lifecycle:mine")


@requires("lifecycle.mine")
@require_POST
def mine_erasure(request):
    if request.POST.get("withdraw"):
        item = get_object_or_404(ErasureRequest, pk=request.POST["withdraw"], person=request.user)
        try:
            services.erasure_withdraw(acting=request.actor, item=item)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Your erasure request is withdrawn; nothing was erased."))
        return redirect("lifecycle:mine")
    form = ErasureRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Tick the box to confirm that you understand what erasure means."))
        return redirect("lifecycle:mine")
    try:
        services.erasure_request(acting=request.actor, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Your request is received. We will e-mail you when it has been carried out."))
    return redirect("lifecycle:mine")


# ------------------------------------------------------------------ staff


@requires("staff.lifecycle")
def staff_index(request):
    institutions = Institution.objects.annotate(
        members=Count("memberships", filter=~Q(memberships__status="ended"))
    ).order_by("name")
    rows = [
        {"institution": inst, "contract_end": closeouts.contract_end(inst), "members": inst.members}
        for inst in institutions.prefetch_related("subscriptions")
    ]
    open_closeouts = {c.institution_id: c for c in CloseOut.objects.exclude(state=CloseOut.State.CANCELLED)}
    for row in rows:
        row["closeout"] = open_closeouts.get(row["institution"].pk)
    return render(
        request,
        "lifecycle/staff/index.html",
        {
            "rows": rows,
            "erasures": ErasureRequest.objects.filter(state=ErasureRequest.State.SUBMITTED).select_related("person"),
        },
    )


@requires("staff.lifecycle")
@require_http_methods(["GET", "POST"])
def staff_institution(request, pk: int):
    inst = get_object_or_404(Institution, pk=pk)
    schedule = closeouts.schedule_for(inst)
    form = RetentionForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        services.retention_save(acting=request.actor, institution=inst, **form.cleaned_data)
        messages.success(request, gettext("Retention schedule saved; the next sweep applies it."))
        return redirect("lifecycle:staff_institution", pk=inst.pk)
    closeout = CloseOut.objects.filter(institution=inst).exclude(state=CloseOut.State.CANCELLED).first()
    return render(
        request,
        "lifecycle/staff/institution.html",
        {
            "institution": inst,
            "form": form,
            "closeout": closeout,
            "contract_end": closeouts.contract_end(inst),
            "cancel_form": NoteForm(),
            "export": closeout.export if closeout and closeout.export_id else None,
        },
    )


@requires("staff.lifecycle")
@require_POST
def staff_closeout_action(request, pk: int, action: str):
    inst = get_object_or_404(Institution, pk=pk)
    closeout = CloseOut.objects.filter(institution=inst).exclude(state=CloseOut.State.CANCELLED).first()
    try:
        if action == "start":
            closeouts.closeout_start(acting=request.actor, institution=inst)
            messages.success(
                request, gettext("Close-out started: the export is being built for the institution's admins.")
            )
        elif action == "destroy" and closeout:
            closeouts.closeout_request_destroy(acting=request.actor, closeout=closeout)
            messages.success(request, gettext("Destruction started; the certificate appears here when it is done."))
        elif action == "cancel" and closeout:
            form = NoteForm(request.POST)
            closeouts.closeout_cancel(
                acting=request.actor, closeout=closeout, note=form.data.get("note", "") if form.is_bound else ""
            )
            messages.success(request, gettext("Close-out cancelled; nothing was destroyed."))
        else:
            messages.error(request, gettext("There is nothing to do here."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("lifecycle:staff_institution", pk=inst.pk)


@requires("staff.lifecycle")
def staff_certificate(request, pk: int):
    closeout = get_object_or_404(CloseOut.objects.select_related("institution", "destroyed_by"), pk=pk)
    if closeout.state != CloseOut.State.DESTROYED:
        messages.error(request, gettext("The certificate exists once the data has been destroyed."))
        return redirect("lifecycle:staff_institution", pk=closeout.institution_id)
    response = HttpResponse(certificate_pdf(closeout), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-of-destruction-{closeout.certificate_number}.pdf"'
    )
    return response


@requires("staff.lifecycle")
@require_http_methods(["GET", "POST"])
def staff_erasure(request, pk: int):
    item = get_object_or_404(ErasureRequest.objects.select_related("person", "decided_by"), pk=pk)
    form = ErasureDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erasure_decide(
                acting=request.actor,
                item=item,
                carry_out=form.cleaned_data["decision"] == "carry_out",
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Done; the person is told by e-mail."))
            return redirect("lifecycle:staff_erasure", pk=item.pk)
    memberships = item.person.memberships.select_related("institution")
    return render(request, "lifecycle/staff/erasure.html", {"item": item, "form": form, "memberships": memberships})
