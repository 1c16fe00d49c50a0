"""Mentee pages: search, recommendations and a mentor's profile (R10, R11, R27, R28)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render

from mentormemed.core.access import requires
from mentormemed.matching import selectors, services
from mentormemed.matching.index import catalog
from mentormemed.matching.search import SCOPES, SORTS, SearchParams, mentor_search
from mentormemed.matching.services import log_search, log_search_event
from mentormemed.matching.viewer import viewer_facts
from mentormemed.mentorships.selectors import not_to_suggest_queries, with_tie
from mentormemed.profiles.models import Specialty


@requires("matching.search")
def search(request):
    params = SearchParams.from_query(request.GET)
    viewer = request.actor.membership
    result = mentor_search(viewer=viewer, params=params)
    result.search_id = log_search(
        viewer=viewer, kind="search", filters=params.as_log(), result_count=result.total
    ).pk  # the search is recorded (R11)
    rest = request.GET.copy()
    rest.pop("page", None)
    context = {
        "params": params,
        "result": result,
        "sorts": SORTS,
        "scopes": SCOPES,
        "my_mentors": {hit.mentor.pk for hit in result.hits if hit.mentor.is_my_mentor},  # read with the page
        "query_without_page": f"{rest.urlencode()}&" if rest else "",
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "matching/_search_app.html", context)
    return render(request, "matching/search.html", context)


@requires("matching.recommended")
def recommended(request):
    mentee = request.actor.membership
    recs = selectors.recommend(mentee=mentee, limit=6, exclude_mentor_ids=not_to_suggest_queries(mentee=mentee))
    services.recommendations_shown(viewer=mentee, recs=recs)  # the view is recorded (R11, R27)
    return render(
        request,
        "matching/recommended.html",
        {
            "recs": recs,
            "profile_complete": viewer_facts(mentee).profile_complete,
            "search_id": recs[0].search_id if recs else None,
        },
    )


@requires("matching.mentor")
def mentor_detail(request, pk: int):
    """A mentor's profile as a mentee sees it: shared values only, reasons, responsiveness (R28)."""
    mentee = request.actor.membership
    # One statement for the mentor with everything the page shows about them and their tie to the
    # mentee (index keys, request state, R7's training gate), then their specialties, areas, languages.
    mentor = (
        with_tie(
            selectors.with_facet_keys(selectors.for_cards(selectors.searchable_mentors(viewer=mentee), mentee)),
            mentee=mentee,
        )
        .select_related("membership__user", "membership__institution", "native_language", "home_state", "home_country")
        .prefetch_related(
            Prefetch("specialties", queryset=Specialty.objects.select_related("parent")), "content_areas", "languages"
        )
        .filter(pk=pk)
        .first()
    )
    if mentor is None:
        raise Http404
    search_id = _int_or_none(request.GET.get("s"))
    log_search_event(search_id=search_id, mentee=mentee, mentor=mentor, kind="opened")
    wishes = selectors.mentee_wishes(mentee)
    keys = set((mentor.facet_keys or "").split())
    _, reasons, covers = selectors.explain(mentor, keys, wishes)
    return render(
        request,
        "matching/mentor_detail.html",
        {
            "mentor": mentor,
            "reasons": reasons,
            "covers": covers,
            "identities": _shared_identities(keys),
            "search_id": search_id,
        },
    )


def _shared_identities(keys: set[str]) -> list[tuple[str, list[str]]]:
    known = catalog()
    groups: dict[str, list] = {}
    for key in keys:
        info = known.get(key)
        if info and key.startswith("id:"):
            groups.setdefault(info.group, []).append(info)
    rows = []
    for infos in groups.values():
        infos.sort(key=lambda i: i.position)
        rows.append((infos[0].position, infos[0].group_label, [i.label for i in infos]))
    return [(label, values) for _, label, values in sorted(rows)]


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
