"""The four outcomes views (ledger, unmet need, time to match, reciprocity) in ``bench.outcomes``:
each for the largest institution's admin and nationally for staff, cold (no cache), with the
dashboards' targets (institution ≤ 100 ms, national ≤ 300 ms at p95)."""

from __future__ import annotations

TARGETS = {"largest institution": 100.0, "national": 300.0}


def view_pages() -> list[tuple[str, str, str, float]]:
    from mentormemed.outcomes.insights import VIEWS

    pages = []
    for slug, view in VIEWS.items():
        pages.append(
            (
                f"outcomes view {view.title.lower()}, largest institution",
                "largest institution",
                f"/outcomes/views/{slug}/",
                TARGETS["largest institution"],
            )
        )
        pages.append(
            (
                f"outcomes view {view.title.lower()}, national",
                "national",
                f"/outcomes/national/views/{slug}/",
                TARGETS["national"],
            )
        )
    return pages
