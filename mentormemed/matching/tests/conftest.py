from __future__ import annotations

import pytest
from django.core.cache import cache

from mentormemed.matching.index import forget_catalog


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Facet counts are cached per process, and so is the facet catalogue: every test starts
    from empty caches and leaves none behind for the next test in the same process."""
    cache.clear()
    forget_catalog()
    yield
    cache.clear()
    forget_catalog()
