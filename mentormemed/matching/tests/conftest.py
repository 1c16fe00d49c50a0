from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Facet counts are cached per process; every test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()
