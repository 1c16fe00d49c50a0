"""403, 404 and 500 are the product's pages, in its layout — with DEBUG on (the demo) and off."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TECHNICAL = ("URLconf", "Using the URLconf", "Traceback", "Django tried these URL patterns", "DEBUG = True")


def _assert_product_page(response, status: int, heading: str) -> None:
    html = response.content.decode()
    assert response.status_code == status
    assert heading in html
    assert 'class="navbar' in html and "MentorMeMed" in html  # the product's layout
    for word in TECHNICAL:
        assert word not in html, word


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_url_is_the_products_404(cast, settings, debug):
    settings.DEBUG = debug
    response = cast.client_for(cast.mentee).get("/no-such-page/anywhere/")
    _assert_product_page(response, 404, "We could not find that page")
    assert "Go to your home page" in response.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_anonymous_404_offers_sign_in(db, settings, debug):
    settings.DEBUG = debug
    response = Client().get("/mentorships/999999/")
    assert response.status_code in (302, 404)
    response = Client().get("/nothing-here/")
    _assert_product_page(response, 404, "We could not find that page")
    assert "Sign in" in response.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_another_institutions_object_is_the_products_404(cast, settings, debug):
    settings.DEBUG = debug
    response = cast.client_for(cast.admin).get(f"/manage/members/{cast.mentee_b.pk}/")
    _assert_product_page(response, 404, "We could not find that page")


@pytest.mark.parametrize("debug", [True, False])
def test_wrong_role_is_the_products_403(cast, settings, debug):
    settings.DEBUG = debug
    response = cast.client_for(cast.mentee).get("/staff/audit/")
    _assert_product_page(response, 403, "This page is not available in your current role")
    assert "mentee" in response.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_a_failing_view_is_the_products_500(db, settings, debug):
    settings.DEBUG = debug
    settings.ROOT_URLCONF = "mentormemed.core.tests.urls_boom"
    response = Client(raise_request_exception=False).get("/boom/")
    _assert_product_page(response, 500, "Something went wrong on our side")


def test_technical_pages_can_be_turned_on_for_developers(db, settings):
    settings.DEBUG = True
    settings.TECHNICAL_ERROR_PAGES = True
    response = Client().get("/nothing-here/")
    assert response.status_code == 404
    assert "URLconf" in response.content.decode()


def test_plain_500_page_when_the_layout_itself_fails(db, settings, monkeypatch):
    from mentormemed.core import errors

    def broken(request, status):
        raise RuntimeError("context processor failed")

    monkeypatch.setattr(errors, "_render", broken)
    response = errors.server_error(Client().get("/").wsgi_request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
