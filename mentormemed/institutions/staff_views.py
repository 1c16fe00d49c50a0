"""Platform staff pages: institutions, subscriptions, price bands, agreements, audit log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.accounts.models import Agreement, Role
from mentormemed.accounts.services import agreement_publish
from mentormemed.core.access import requires
from mentormemed.core.audit import audit_request
from mentormemed.core.models import AuditEntry
from mentormemed.core.spreadsheet import csv_stream
from mentormemed.institutions import audit_log as audit_log_reads
from mentormemed.institutions import selectors, services
from mentormemed.institutions.audit_log import AuditFilters
from mentormemed.institutions.forms import (
    AdminInviteForm,
    AgreementPublishForm,
    AuditFilterForm,
    InstitutionForm,
    PaymentForm,
    PriceBandForm,
    SubscriptionStartForm,
)
from mentormemed.institutions.models import Institution, PriceBand, Subscription


@requires("staff.institutions")
def institutions(request):
    return render(request, "staff/institutions.html", {"institutions": selectors.institutions_overview()})


@requires("staff.institutions")
@require_http_methods(["GET", "POST"])
def institution_edit(request, pk: int | None = None):
    instance = get_object_or_404(Institution, pk=pk) if pk else Institution()
    form = InstitutionForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            institution = services.institution_save(
                acting=request.actor,
                institution=form.save(commit=False),
                urim_groups=form.cleaned_data["urim_groups"],
                criteria_text=form.cleaned_data["criteria_text"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("%(name)s saved.") % {"name": institution.name})
            return redirect("staff:institution", pk=institution.pk)
    return render(request, "staff/institution_form.html", {"form": form, "institution": instance})


@requires("staff.institutions")
def institution(request, pk: int):
    inst = get_object_or_404(Institution.objects.select_related("field_of_training"), pk=pk)
    return render(
        request,
        "staff/institution.html",
        {
            "institution": inst,
            "subscriptions": inst.subscriptions.all(),
            "has_access": selectors.institution_has_access(inst),
            "suggested_band": selectors.band_for_headcount(inst.eligible_headcount),
            "admins": inst.memberships.filter(role=Role.ADMIN).select_related("user"),
            "start_form": SubscriptionStartForm(),
            "payment_form": PaymentForm(),
            "invite_form": AdminInviteForm(),
            "supply": selectors.mentor_supply(inst),
        },
    )


@requires("staff.subscriptions")
@require_POST
def subscription_start(request, pk: int):
    inst = get_object_or_404(Institution, pk=pk)
    form = SubscriptionStartForm(request.POST)
    if form.is_valid():
        try:
            sub = services.subscription_start(acting=request.actor, institution=inst, **form.cleaned_data)
            messages.success(
                request,
                gettext("Subscription started; invoice %(invoice_number)s.") % {"invoice_number": sub.invoice_number},
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(
            request, gettext("Check the dates: ") + "; ".join(e for errs in form.errors.values() for e in errs)
        )
    return redirect("staff:institution", pk=pk)


@requires("staff.subscriptions")
@require_POST
def subscription_action(request, pk: int, action: str):
    sub = get_object_or_404(Subscription, pk=pk)
    try:
        if action == "renew":
            new = services.subscription_renew(acting=request.actor, subscription=sub)
            messages.success(
                request,
                gettext("Renewed until %(term_end)s; invoice %(invoice_number)s.")
                % {"term_end": date_format(new.term_end, "MEDIUM_DATE_FORMAT"), "invoice_number": new.invoice_number},
            )
        elif action == "end":
            services.subscription_end(acting=request.actor, subscription=sub)
            messages.success(request, gettext("Subscription ended. Members have lost access; nothing was deleted."))
        elif action == "paid":
            form = PaymentForm(request.POST)
            if not form.is_valid():
                raise ValidationError(gettext("Give the date the payment arrived."))
            services.subscription_record_payment(acting=request.actor, subscription=sub, **form.cleaned_data)
            messages.success(request, gettext("Payment recorded."))
        else:
            raise ValidationError(gettext("Unknown action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff:institution", pk=sub.institution_id)


@requires("staff.institutions")
@require_POST
def invite_admin(request, pk: int):
    inst = get_object_or_404(Institution, pk=pk)
    form = AdminInviteForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(acting=request.actor, institution=inst, role=Role.ADMIN, **form.cleaned_data)
            messages.success(
                request, gettext("Admin invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, gettext("Enter a valid e-mail address."))
    return redirect("staff:institution", pk=pk)


@requires("staff.pricing")
@require_http_methods(["GET", "POST"])
def price_bands(request, pk: int | None = None):
    instance = get_object_or_404(PriceBand, pk=pk) if pk else PriceBand()
    form = PriceBandForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.price_band_save(acting=request.actor, band=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Price band saved."))
            return redirect("staff:price_bands")
    return render(
        request, "staff/price_bands.html", {"bands": PriceBand.objects.all(), "form": form, "editing": instance}
    )


@requires("staff.agreements")
@require_http_methods(["GET", "POST"])
def agreements(request):
    form = AgreementPublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreement_publish(acting=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext("Published %(agreement)s. Members must accept it before their next request.")
                % {"agreement": agreement},
            )
            return redirect("staff:agreements")
    return render(request, "staff/agreements.html", {"agreements": Agreement.objects.all(), "form": form})


def _audit_filters(request) -> tuple[AuditFilterForm, AuditFilters | None]:
    form = AuditFilterForm(request.GET or None)
    if not request.GET:
        return form, AuditFilters()
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    institution = data.get("institution")
    return form, AuditFilters(
        action=data.get("action", "").strip(),
        institution_id=institution.pk if institution else None,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


@requires("staff.audit")
def audit_log(request):
    form, filters = _audit_filters(request)
    entries = audit_log_reads.audit_entries(filters=filters) if filters else AuditEntry.objects.none()
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.role_label = audit_log_reads.role_label(entry.role)
        entry.detail_pairs = audit_log_reads.detail_pairs(entry.detail)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "staff/audit.html", {"page": page, "form": form, "query": query.urlencode()})


@requires("staff.audit")
def audit_log_export(request):
    """The filtered log as CSV (every matching row, streamed); the export is itself audited."""
    form, filters = _audit_filters(request)
    if filters is None:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("staff:audit")
    audit_request(request, action="audit.export", detail={k: v for k, v in request.GET.items() if v})
    rows = audit_log_reads.csv_rows(audit_log_reads.audit_entries(filters=filters).iterator(chunk_size=2000))
    response = StreamingHttpResponse(
        csv_stream(audit_log_reads.CSV_HEADER, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
