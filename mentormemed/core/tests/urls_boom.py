"""The project's URLs plus one view that fails, to see the 500 page."""

from __future__ import annotations

from django.urls import path

from mentormemed.core.access import public
from mentormemed.urls import handler403, handler404, handler500  # noqa: F401
from mentormemed.urls import urlpatterns as project_urlpatterns


@public
def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *project_urlpatterns]
