"""Outcomes dashboards and CSV (R23), mentor reward (R24, R32), research requests (R25), invoices (R3)."""

from __future__ import annotations

import dataclasses
import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from mentormemed.core.access import STAFF, get_scoped_or_404, requires
from mentormemed.core.audit import audit_request
from mentormemed.core.clock import platform_today
from mentormemed.core.conf import product
from mentormemed.institutions.models import Institution, Subscription
from mentormemed.institutions.selectors import mentor_supply
from mentormemed.outcomes import agreements, insights, private, reciprocity, selectors, services
from mentormemed.outcomes import invoices as invoice_pdfs
from mentormemed.outcomes import reward as rewards
from mentormemed.outcomes.forms import (
    AcceptAgreementForm,
    AttestDestructionForm,
    DecisionForm,
    ResearchForm,
    ThresholdForm,
)
from mentormemed.outcomes.models import DataUseAgreement, ResearchRequest
from mentormemed.outcomes.participation import sources as participation_sources
from mentormemed.outcomes.research import VARIABLES


def _csv_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _exact_withheld(request) -> bool:
    """An institution's admins read only the private release when the deployment asks for it."""
    return private.enabled() and request.actor.role != STAFF


def _page(request, institution, *, national: bool):
    filters = selectors.Filters.from_query(request.GET)
    trends = (
        private.trends(institution.pk if institution else None, filters.academic_year) if private.enabled() else None
    )
    done = selectors.last_refresh()
    if _exact_withheld(request):
        board = selectors.Dashboard(filters, [], [], [], [], [], selectors.k_min(), done.refreshed_at if done else None)
        release = None
    else:
        # Read only when the page's figures are not already rendered for this release (``release`` below).
        board = SimpleLazyObject(lambda: selectors.dashboard(institution, filters))
        release = f"{selectors.dashboard_key(institution, filters)}:{done.refreshed_at.timestamp()}" if done else None

    @functools.cache
    def charts() -> dict:  # called by the template, where the figures are rendered
        tables = board.searches + board.matches
        return {t.key: t.chart_data() for t in tables if t.chart and t.rows and not t.all_hidden}

    query = filters.as_query()
    if national and institution is not None:
        query["institution"] = institution.pk
    return render(
        request,
        "outcomes/dashboard.html",
        {
            "board": board,
            "filters": filters,
            "minimum": selectors.k_min(),
            "as_of": done.refreshed_at if done else None,
            # The figures' HTML is the same for everyone who reads this release: rendered once per release,
            # language and page (``{% cache %}``), where rendering them cost ~35 ms a request (issue 15).
            "release": release,
            "release_seconds": product.outcomes_cache_seconds if release else 0,
            "institution": institution,
            "national": national,
            "charts": charts,
            "query_string": urlencode(query),
            "query": query,
            "years": selectors.Filters.offered(),
            "partial": filters.is_partial(),
            "institutions": Institution.objects.order_by("name") if national else None,
            "supply": mentor_supply(institution) if institution is not None else None,
            "export_url": "outcomes:national_export" if national else "outcomes:export",
            "refresh_minutes": product.outcomes_refresh_minutes,
            "views": insights.VIEWS.values(),
            "trends": trends,
            "trends_table": trends.table() if trends else None,
            "exact_withheld": _exact_withheld(request),
        },
    )


@requires("outcomes.institution")
def dashboard(request):
    return _page(request, request.actor.institution, national=False)


def _release_table(institution, query, table: str):
    """A table of the dashboard or of one of the views, for the period ``query`` asks for."""
    slug = insights.view_of(table) or ""
    filters = insights.period(slug, query)
    if table == "private_trends":
        return private.trends(institution.pk if institution else None, filters.academic_year).table()
    if slug:
        return insights.find_table(table, institution, filters)
    return selectors.dashboard(institution, filters).table(table)


def _WITHHELD() -> str:  # noqa: N802  (a sentence, read when shown)
    return gettext(
        "This deployment releases outcomes with differential privacy: exact tables and the views built on them "
        "are not released to institutions. The quarterly figures are on the outcomes page."
    )


def _not_built_yet(request, back: str):
    """An export asked for before the figures were first computed: say so on the page it came from."""
    messages.info(
        request,
        ngettext(
            "The figures have not been computed yet. They are updated every %(minutes)s minute; try again then.",
            "The figures have not been computed yet. They are updated every %(minutes)s minutes; try again then.",
            product.outcomes_refresh_minutes,
        )
        % {"minutes": product.outcomes_refresh_minutes},
    )
    query = request.GET.urlencode()
    return redirect(f"{back}?{query}" if query else back)


@requires("outcomes.institution")
def export_csv(request, table: str):
    if selectors.last_refresh() is None:
        return _not_built_yet(request, reverse("outcomes:dashboard"))
    if _exact_withheld(request) and table != "private_trends":
        messages.info(request, _WITHHELD())
        return redirect("outcomes:dashboard")
    found = _release_table(request.actor.institution, request.GET, table)
    if found is None:
        raise Http404
    audit_request(request, action="outcomes.export", detail={"table": table})
    return _csv_response(found.csv(), f"{table}.csv")


def _staff_institution(request) -> Institution | None:
    pk = request.GET.get("institution")
    if not pk:
        return None
    try:
        return Institution.objects.get(pk=int(pk))
    except (ValueError, Institution.DoesNotExist) as exc:
        raise Http404 from exc


@requires("outcomes.national")
def national(request):
    return _page(request, _staff_institution(request), national=True)


@requires("outcomes.national")
def national_export(request, table: str):
    institution = _staff_institution(request)
    if selectors.last_refresh() is None:
        return _not_built_yet(request, reverse("outcomes:national"))
    found = _release_table(institution, request.GET, table)
    if found is None:
        raise Http404
    audit_request(
        request,
        action="outcomes.export",
        institution=institution,
        detail={"table": table, "national": institution is None},
    )
    return _csv_response(found.csv(), f"{table}.csv")


def _insight_page(request, slug: str, institution, *, national: bool):
    if slug not in insights.VIEWS:
        raise Http404
    filters = insights.period(slug, request.GET)
    found = insights.insight(slug, institution, filters)
    query = filters.as_query()
    if national and institution is not None:
        query["institution"] = institution.pk
    shown, listing = [], None
    for t in found.tables:
        if not t.paged:
            shown.append(t)
            continue
        href = None
        if national:
            page_url = reverse("outcomes:national_insight", args=[slug])

            def href(pk, page_url=page_url):
                return f"{page_url}?{urlencode({**query, 'institution': pk})}"

        listing = reciprocity.listing(t, request.GET, href=href)
        shown.append(dataclasses.replace(t, rows=listing.rows))
    keep = {k: v for k, v in {**query, "q": listing.q, "sort": listing.sort}.items() if v} if listing else query
    return render(
        request,
        "outcomes/insight.html",
        {
            "board": found,
            "insight": found,
            "views": insights.VIEWS.values(),
            "institution": institution,
            "national": national,
            "charts": {t.key: t.chart_data() for t in shown if t.chart and t.rows and not t.all_hidden},
            "tables": shown,
            "listing": listing,
            "listing_query": urlencode({k: v for k, v in keep.items() if k != "page"}),
            "query_string": urlencode(query),
            "query": query,
            "years": insights.offered(slug),
            "default_period": slug == "reciprocity" and not request.GET.get("year"),
            "pool_hint": slug == "reciprocity" and filters.years == 1 and reciprocity.small_in_one_year(found.tables),
            "pooled": selectors.POOLED,
            "partial": filters.is_partial(),
            "institutions": Institution.objects.order_by("name") if national else None,
            "export_url": "outcomes:national_export" if national else "outcomes:export",
            "page_url": "outcomes:national_insight" if national else "outcomes:insight",
        },
    )


@requires("outcomes.institution")
def insight(request, slug: str):
    if _exact_withheld(request):
        messages.info(request, _WITHHELD())
        return redirect("outcomes:dashboard")
    return _insight_page(request, slug, request.actor.institution, national=False)


@requires("outcomes.national")
def national_insight(request, slug: str):
    return _insight_page(request, slug, _staff_institution(request), national=True)


# ------------------------------------------------------------------ mentor reward (R24, R32)


@requires("outcomes.reward")
def reward(request):
    institution = request.actor.institution
    records = rewards.participation_records(institution=institution)
    threshold = rewards.threshold_for(institution)
    # Every mentor's evaluation summary is sensitive (R18, R26): the viewing is audited.
    audit_request(request, action="reward.view", detail={"mentors": len(records)})
    view = rewards.TableView.from_query(request.GET)
    shown = view.apply(records)
    columns = [(key, label, view.link(key), view.aria_sort(key)) for key, (label, _) in rewards.SORTS.items()]
    return render(
        request,
        "outcomes/reward.html",
        {
            "records": shown,
            "all_count": len(records),
            "view": view,
            "columns": columns,
            "statuses": rewards.STATUSES,
            "csv_query": request.GET.urlencode(),
            "threshold": threshold,
            "form": ThresholdForm(instance=threshold),
            "supply": mentor_supply(institution),
            "meaningful": sum(1 for r in records if r.meaningful),
            "period": rewards.period(),
            "minimum": product.feedback_batch_mentees,
            "extra_sources": participation_sources(),
        },
    )


@requires("outcomes.reward")
@require_POST
def reward_threshold(request):
    institution = request.actor.institution
    form = ThresholdForm(request.POST, instance=rewards.threshold_for(institution))
    if form.is_valid():
        values = {f: form.cleaned_data[f] for f in ThresholdForm.Meta.fields}
        services.threshold_save(acting=request.actor, institution=institution, **values)
        messages.success(request, gettext("Saved the participation threshold."))
    else:
        messages.error(request, gettext("Check the threshold: every number must be zero or more."))
    return redirect("outcomes:reward")


@requires("outcomes.reward")
def reward_csv(request):
    """The participation table as filtered and sorted on the page, as CSV (defused); audited (R26)."""
    view = rewards.TableView.from_query(request.GET)
    records = view.apply(rewards.participation_records(institution=request.actor.institution))
    audit_request(request, action="reward.export", detail={"format": "csv", "rows": len(records)})
    stamp = platform_today().isoformat()
    return _csv_response(rewards.records_csv(records), f"mentor-participation-{stamp}.csv")


@requires("outcomes.reward")
def reward_letter(request, pk: int):
    from mentormemed.profiles.models import MentorProfile

    mentor = get_scoped_or_404(MentorProfile.objects.all(), request.actor, via="membership__institution", pk=pk)
    record = rewards.participation_records(institution=request.actor.institution, mentor_ids=[mentor.pk])[0]
    pdf = rewards.letter_pdf(record=record, institution=request.actor.institution)
    audit_request(request, action="reward.letter", obj=mentor.membership)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="participation-letter-{mentor.pk}.pdf"'
    return response


# ------------------------------------------------------------------ research requests (R25)


@requires("outcomes.research")
@require_http_methods(["GET", "POST"])
def research(request):
    membership = request.actor.membership
    form = ResearchForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.research_submit(acting=request.actor, membership=membership, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Your request is submitted. Staff will decide and write to you."))
            return redirect("outcomes:research")
    mine = ResearchRequest.objects.filter(requester=membership).select_related("agreement")
    return render(request, "outcomes/research.html", {"form": form, "mine": mine, "variables": VARIABLES})


@requires("outcomes.research")
def research_document(request, pk: int):
    item = get_object_or_404(ResearchRequest, pk=pk, requester=request.actor.membership)
    return _irb_file(request, item)


def _irb_file(request, item: ResearchRequest):
    if not item.irb_document:
        raise Http404
    audit_request(request, action="research.document", obj=item, institution=item.requester.institution)
    return FileResponse(
        item.irb_document.open("rb"), content_type="application/pdf", as_attachment=True, filename=f"irb-{item.pk}.pdf"
    )


@requires("outcomes.research")
@require_http_methods(["GET", "POST"])
def research_agreement(request, pk: int):
    """The requester reads the data use agreement, accepts it, downloads the export while it is in
    force, and confirms the destruction by its date."""
    agreement = get_object_or_404(
        DataUseAgreement.objects.select_related("request"), request__pk=pk, request__requester=request.actor.membership
    )
    action = request.POST.get("action") if request.method == "POST" else None
    accept = AcceptAgreementForm(request.POST if action == "accept" else None)
    attest = AttestDestructionForm(request.POST if action == "attest" else None)
    form = {"accept": accept, "attest": attest}.get(action or "")
    if form is not None and form.is_valid():
        try:
            if action == "accept":
                services.agreement_accept(
                    acting=request.actor, agreement=agreement, full_name=form.cleaned_data["full_name"]
                )
                messages.success(request, gettext("Agreement accepted. You can download the export now."))
            else:
                services.agreement_attest(
                    acting=request.actor,
                    agreement=agreement,
                    destroyed_on=form.cleaned_data["destroyed_on"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, gettext("Thank you: the destruction is recorded."))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("outcomes:research_agreement", pk=pk)
    return render(
        request,
        "outcomes/research_agreement.html",
        {
            "agreement": agreement,
            "item": agreement.request,
            "terms": agreements.TERMS,
            "variables": [VARIABLES.get(v, v) for v in agreement.variables],
            "accept_form": accept,
            "attest_form": attest,
            "today": platform_today(),
        },
    )


@requires("outcomes.research")
def research_export(request, pk: int):
    item = get_object_or_404(ResearchRequest, pk=pk, requester=request.actor.membership)
    return _export_response(request, item, redirect("outcomes:research_agreement", pk=pk))


def _export_response(request, item: ResearchRequest, refused):
    try:
        content = services.research_export(acting=request.actor, request=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return refused
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="research-{item.pk}-deidentified.zip"'
    return response


@requires("staff.research")
def staff_research(request):
    rows = ResearchRequest.objects.select_related(
        "requester__user", "requester__institution", "decided_by", "agreement"
    )
    state = request.GET.get("state", "")
    if state in ResearchRequest.State.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "outcomes/staff/research.html",
        {"rows": rows[:200], "state": state, "states": ResearchRequest.State.choices},
    )


@requires("staff.research")
@require_http_methods(["GET", "POST"])
def staff_research_detail(request, pk: int):
    item = get_object_or_404(
        ResearchRequest.objects.select_related("requester__user", "requester__institution", "agreement"), pk=pk
    )
    if request.GET.get("document"):
        return _irb_file(request, item)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.research_decide(
                acting=request.actor,
                request=item,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                recipients=form.cleaned_data["recipients"],
                destroy_by=form.cleaned_data["destroy_by"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Decision recorded and the requester told."))
            return redirect("outcomes:staff_research_detail", pk=item.pk)
    return render(
        request,
        "outcomes/staff/research_detail.html",
        {"item": item, "form": form, "variables": [VARIABLES.get(v, v) for v in item.variables]},
    )


@requires("staff.research")
def staff_research_export(request, pk: int):
    item = get_object_or_404(ResearchRequest, pk=pk)
    return _export_response(request, item, redirect("outcomes:staff_research_detail", pk=pk))


# ------------------------------------------------------------------ invoices (R3)


@requires("outcomes.invoices")
def invoices(request):
    rows = (
        Subscription.objects.filter(institution=request.actor.institution)
        .select_related("issue")
        .order_by("-term_start")
    )
    return render(request, "outcomes/invoices.html", {"rows": rows})


@requires("outcomes.invoices")
def invoice_pdf(request, pk: int):
    subscription = get_scoped_or_404(Subscription.objects.select_related("institution__state"), request.actor, pk=pk)
    audit_request(request, action="invoice.download", obj=subscription)
    return _pdf(subscription)


@requires("staff.invoices")
def staff_invoice_pdf(request, pk: int):
    subscription = get_object_or_404(Subscription.objects.select_related("institution__state"), pk=pk)
    audit_request(request, action="invoice.download", obj=subscription, institution=subscription.institution)
    return _pdf(subscription)


@requires("staff.invoices")
@require_POST
def staff_invoice_issue(request, pk: int):
    subscription = get_object_or_404(Subscription, pk=pk)
    services.invoice_issue(acting=request.actor, subscription=subscription)
    messages.success(
        request,
        gettext("Invoice %(invoice_number)s issued; the institution's admins can download it.")
        % {"invoice_number": subscription.invoice_number},
    )
    return redirect("staff:institution", pk=subscription.institution_id)


def _pdf(subscription) -> HttpResponse:
    response = HttpResponse(invoice_pdfs.invoice_pdf(subscription), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{subscription.invoice_number}.pdf"'
    return response
