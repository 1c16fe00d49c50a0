"""The national reciprocity view alone (issue 15): CPU and statements per request, as served.

Run on a database that ``bench.prepare`` and ``bench.outcomes.add_history`` filled and whose
rollups are built (``bench.outcomes.refresh_rollups``), e.g. for a run of a few minutes:

    DATABASE_URL=… python -m bench.reciprocity '{"requests": 10}'

Stores the reciprocity pages as the sweep's ``outcomes_releases`` job does (timed), then times the
national page (default period, one year, the pooled years, one institution's partners, page 2 of a
name search) and the largest institution's admin page with ``bench.outcomes.measure``. Prints one
JSON line of rows shaped like ``bench.run``'s."""

from __future__ import annotations

import json
import os
import sys
import time

import django


def main(sizes: dict) -> list[dict]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentormemed.settings")
    django.setup()
    from django.db.models import Count
    from django.utils import timezone

    from bench.outcomes import _signed_in_clients, measure
    from mentormemed.institutions.models import Membership
    from mentormemed.outcomes import precompute, selectors
    from mentormemed.outcomes.rollups import last_refresh

    largest = Membership.objects.values("institution_id").annotate(n=Count("id")).order_by("-n").first()
    institution_id = largest["institution_id"]
    _signed_in_clients(institution_id)
    from mentormemed.institutions.models import Institution

    scope = Institution.objects.get(pk=institution_id)
    started = time.perf_counter()
    pages = precompute._reciprocity(last_refresh(), only=[None, scope])[0]
    seconds = round(time.perf_counter() - started, 1)
    year = selectors.academic_year_of(timezone.localdate()) - 1
    national = "/outcomes/national/views/reciprocity/"
    target = 300.0
    paths = [
        ("reciprocity, national, default period", "national", national, target),
        ("reciprocity, national, last complete year", "national", f"{national}?year={year}", target),
        ("reciprocity, national, pooled years", "national", f"{national}?year=pooled", target),
        ("reciprocity, national, one institution", "national", f"{national}?institution={institution_id}", target),
        ("reciprocity, national, name search page 2", "national", f"{national}?q=a&page=2", target),
        ("reciprocity, largest institution", "largest institution", "/outcomes/views/reciprocity/", 100.0),
    ]
    extra = {"precompute_seconds": seconds, "precompute_pages": pages}
    return measure(institution_id=institution_id, requests=int(sizes.get("requests", 10)), extra=extra, pages=paths)


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})))
