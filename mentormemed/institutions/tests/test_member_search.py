"""The admin's member search forgives accents and case and matches first + last name (R10's rule)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentormemed.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _member(cast, first: str, last: str, email: str):
    user = UserFactory(first_name=first, last_name=last, email=email)
    return MembershipFactory(institution=cast.inst_a, role="mentee", user=user)


def test_member_search_finds_first_plus_last_name_accents_and_email(cast):
    _member(cast, "Priya", "Mahmoud", "pm@alpha.edu")
    _member(cast, "Priya", "Shah", "ps@alpha.edu")
    _member(cast, "José", "Hernández", "jh@alpha.edu")
    _member(cast, "Other", "Person", "x@beta.edu").delete()  # nothing else at stake
    client = cast.client_for(cast.admin)

    def found(q: str) -> str:
        return client.get(reverse("institutions:members"), {"q": q}).content.decode()

    page = found("Priya Mahmoud")
    assert "Mahmoud" in page and "Shah" not in page
    assert "Shah" in found("priya") and "Mahmoud" in found("priya")
    assert "Hernández" in found("jose hernandez")
    assert "Hernández" in found("HERNÁNDEZ")
    assert "Mahmoud" in found("pm@alpha")
    assert "Mahmoud" not in found("Priya Hernandez")
