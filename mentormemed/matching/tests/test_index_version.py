"""Issue 12: the facet-count cache version moves again once a change is committed."""

from __future__ import annotations

import pytest

from mentormemed.core.access import Actor
from mentormemed.institutions import services
from mentormemed.matching.index import index_version


@pytest.mark.django_db
def test_r8_index_version_moves_after_commit_so_counts_cached_before_it_are_never_read(
    cast, django_capture_on_commit_callbacks
):
    """R8: a concurrent search may cache pre-commit counts under whatever version it sees while the
    change is uncommitted; the version after commit must be newer than any of those."""
    sub = cast.inst_a.subscriptions.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.subscription_end(acting=Actor.for_user(cast.staff), subscription=sub)
        seen_before_commit = index_version()  # what a concurrent search could cache under
    assert callbacks and index_version() > seen_before_commit
