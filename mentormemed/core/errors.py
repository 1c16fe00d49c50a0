"""Error pages (403, 404, 500) in the product's layout — with DEBUG on too.

Django shows its technical pages (a 404 listing every URL pattern, a 500 traceback) whenever
DEBUG is on, and the demo runs with DEBUG. ``ErrorPagesMiddleware`` renders our own pages
instead unless ``TECHNICAL_ERROR_PAGES`` is set (a developer who wants the traceback in the
browser turns it on); the traceback is still logged. With DEBUG off Django calls the
``handler403/404/500`` views below itself (``mentormemed.urls``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.urls import Resolver404, get_resolver

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger("django.request")

PAGES = {
    403: "errors/403.html",
    404: "errors/404.html",
    500: "errors/500.html",
}


def _render(request: HttpRequest, status: int) -> HttpResponse:
    return HttpResponse(render_to_string(PAGES[status], {"status": status}, request=request), status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The layout needs the request's context; if that is what failed, a page without it."""
    try:
        return _render(request, 500)
    except Exception:  # noqa: BLE001 — an error page must never fail
        logger.exception("The 500 page could not be rendered in the layout")
        return HttpResponseServerError(render_to_string("errors/500_plain.html"))


class ErrorPagesMiddleware:
    """Under DEBUG, answer unknown URLs and raised 404/403/500 with the product's pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    @staticmethod
    def active() -> bool:
        return settings.DEBUG and not settings.TECHNICAL_ERROR_PAGES

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.active():
            try:  # an unknown URL never reaches a view, so process_exception would not see it
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404:
                return page_not_found(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not self.active():
            return None
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        return server_error(request)
