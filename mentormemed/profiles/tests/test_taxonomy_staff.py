"""Staff extend the taxonomy in the product (issue: "Staff can add values")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentormemed.core.models import AuditEntry
from mentormemed.matching.index import catalog
from mentormemed.profiles.forms import MentorProfileForm
from mentormemed.profiles.models import ContentArea, IdentityDimension, IdentityOption, Region, Specialty

pytestmark = pytest.mark.django_db
URL = reverse("profiles:staff_taxonomy")


def test_staff_add_a_content_area_that_people_can_then_choose_and_search(cast, django_capture_on_commit_callbacks):
    client = cast.client_for(cast.staff)
    catalog()  # built before the change: the commit must refresh it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL + "?list=areas", {"name": "Parenting during training"})
    assert response.status_code == 302
    area = ContentArea.objects.get(name="Parenting during training")
    assert area.key == "parenting-during-training" and area.active
    assert AuditEntry.objects.filter(action="taxonomy.add", actor=cast.staff).exists()
    assert area.pk in {pk for pk, _ in MentorProfileForm().fields["content_areas"].choices if pk}
    assert f"area:{area.key}" in catalog()  # a search filter right away
    assert "Parenting during training" in client.get(URL + "?list=areas").content.decode()


def test_a_subspecialty_names_its_specialty_and_a_sub_of_a_sub_is_refused(cast):
    client = cast.client_for(cast.staff)
    parent = Specialty.objects.filter(parent__isnull=True).first()
    client.post(URL + "?list=specialties", {"name": "Global Surgery", "parent": parent.pk})
    sub = Specialty.objects.get(name="Global Surgery")
    assert sub.parent == parent
    page = client.post(URL + "?list=specialties", {"name": "Too deep", "parent": sub.pk})
    assert page.status_code == 200 and not Specialty.objects.filter(name="Too deep").exists()


def test_places_need_a_unique_code_and_identity_answers_a_question(cast):
    client = cast.client_for(cast.staff)
    page = client.post(URL + "?list=regions", {"name": "Nowhere", "region_kind": "country", "code": ""})
    assert page.status_code == 200 and not Region.objects.filter(name="Nowhere").exists()
    taken = Region.objects.filter(kind="state").first()
    page = client.post(URL + "?list=regions", {"name": "Copy", "region_kind": "state", "code": taken.code})
    assert f"already a place with the code {taken.code}" in page.content.decode()
    dimension = IdentityDimension.objects.get(key="race_ethnicity")
    client.post(URL + "?list=identity", {"name": "Hmong", "dimension": dimension.pk})
    assert IdentityOption.objects.filter(dimension=dimension, name="Hmong").exists()


def test_duplicates_are_refused_and_change_nothing(cast):
    client = cast.client_for(cast.staff)
    existing = ContentArea.objects.first()
    before = ContentArea.objects.count()
    page = client.post(URL + "?list=areas", {"name": existing.name.upper()})
    assert "already on this list" in page.content.decode()
    assert ContentArea.objects.count() == before


def test_retiring_hides_a_value_from_forms_but_keeps_it_for_people_who_chose_it(cast):
    client = cast.client_for(cast.staff)
    area = ContentArea.objects.get(key="research")
    toggle = reverse("profiles:staff_taxonomy_toggle", args=["areas", area.pk])
    assert client.post(toggle, {"active": "0"}).status_code == 302
    area.refresh_from_db()
    assert not area.active
    assert area.pk not in {pk for pk, _ in MentorProfileForm().fields["content_areas"].choices if pk}
    assert AuditEntry.objects.filter(action="taxonomy.retire").exists()
    client.post(toggle, {"active": "1"})
    area.refresh_from_db()
    assert area.active


def test_only_staff_reach_the_taxonomy(cast):
    for member in (cast.mentee, cast.mentor, cast.admin):
        assert cast.client_for(member).get(URL).status_code == 403


def test_the_list_page_runs_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    client = cast.client_for(cast.staff)
    for list_key in ("specialties", "identity", "regions"):
        with django_assert_max_num_queries(20):
            assert client.get(URL, {"list": list_key}).status_code == 200
