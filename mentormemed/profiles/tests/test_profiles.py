from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.core.onboarding import checklist
from mentormemed.matching.models import MentorFacet
from mentormemed.profiles import services
from mentormemed.profiles.models import (
    ContentArea,
    IdentityOption,
    IdentityValue,
    Language,
    MentorProfile,
    Region,
    Specialty,
)
from mentormemed.profiles.testing import complete_mentor_profile, tiny_png


def _mentor_post(**overrides) -> dict:
    data = {
        "p-bio": "I trained as a first-generation student and now run our residency program; I help with "
        "applications, research and the hidden curriculum.",
        "p-academic_rank": "Professor",
        "p-title": "Program Director, Pediatrics",
        "p-specialties": [Specialty.objects.get(key="pediatrics").pk],
        "p-content_areas": [ContentArea.objects.get(key="residency_applications").pk],
        "p-languages": [Language.objects.get(key="es").pk],
        "p-native_language": Language.objects.get(key="es").pk,
        "p-languages_shared": "on",
        "p-home_state": "",
        "p-home_country": "",
        "p-scope": "national",
        "p-offers_mentoring": "on",
        "p-capacity": "2",
        "p-accepting_new": "on",
        "p-availability_statement": "Two calls a month.",
        "p-search_consent": "on",
        "id-dim_first_generation": IdentityOption.objects.get(key="first_generation").pk,
        "id-dim_first_generation_shared": "on",
        "id-dim_sexual_orientation": [IdentityOption.objects.get(dimension__key="sexual_orientation", key="queer").pk],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_r8_mentor_becomes_searchable_only_when_complete_and_consented(cast):
    client = cast.client_for(cast.mentor)
    assert client.get(reverse("profiles:me")).status_code == 200
    response = client.post(reverse("profiles:me"), _mentor_post())
    assert response.status_code == 302
    profile = MentorProfile.objects.get(membership=cast.mentor)
    assert not profile.is_complete  # no home state or country yet
    assert "Home state or country" in client.get(reverse("profiles:me")).content.decode()
    state = str(Region.objects.get(kind="state", code="TX").pk)
    client.post(reverse("profiles:me"), _mentor_post(**{"p-home_state": state}))
    profile.refresh_from_db()
    assert profile.is_complete and profile.search_consent and profile.search_consent_at
    assert profile.completeness == 100 and profile.capacity == 2 and profile.scope == "national"
    step = {s.key: st for s, st in checklist(cast.mentor)}["profile"]
    assert step.done


def test_r8_private_identity_is_stored_but_never_indexed(cast):
    cast.client_for(cast.mentor).post(reverse("profiles:me"), _mentor_post())
    values = {v.option.key: v.shared for v in IdentityValue.objects.filter(membership=cast.mentor)}
    assert values == {"first_generation": True, "queer": False}
    keys = set(MentorFacet.objects.filter(mentor__membership=cast.mentor).values_list("key", flat=True))
    assert "id:first_generation:first_generation" in keys
    assert not any("queer" in k for k in keys)
    assert {"lang:es", "native:es", "area:residency_applications", "spec:pediatrics"} <= keys


def test_r12_capacity_above_three_is_refused(cast):
    response = cast.client_for(cast.mentor).post(reverse("profiles:me"), _mentor_post(**{"p-capacity": "4"}))
    assert response.status_code == 200
    assert MentorProfile.objects.get(membership=cast.mentor).capacity != 4


def test_capacity_below_current_mentees_is_refused(cast):
    profile = complete_mentor_profile(cast.mentor)
    MentorProfile.objects.filter(pk=profile.pk).update(active_mentee_count=2)
    profile.refresh_from_db()
    with pytest.raises(ValidationError, match="at least that many"):
        services.mentor_profile_save(acting=Actor.for_membership(cast.mentor), fields={"capacity": 1})


def test_photo_must_be_a_small_real_image(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    profile = complete_mentor_profile(cast.mentor)
    fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError, match="not an image"):
        services.mentor_photo_set(acting=Actor.for_membership(cast.mentor), upload=fake)
    big = SimpleUploadedFile("big.png", tiny_png() + b"0" * services.MAX_PHOTO_BYTES, content_type="image/png")
    with pytest.raises(ValidationError, match="larger than 2 MB"):
        services.mentor_photo_set(acting=Actor.for_membership(cast.mentor), upload=big)
    services.mentor_photo_set(acting=Actor.for_membership(cast.mentor), upload=SimpleUploadedFile("ok.png", tiny_png()))
    response = cast.client_for(cast.mentee).get(reverse("profiles:photo", args=[profile.pk]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"


def _step(client, key: str, data: dict):
    return client.post(f"{reverse('profiles:me')}?step={key}", data)


def test_mentee_profile_with_ranked_needs_and_affinities(cast):
    """The stepped profile: each step saves on its own and leads to the next."""
    areas = {a.key: a.pk for a in ContentArea.objects.filter(key__in=["research", "test_taking"])}
    client = cast.client_for(cast.mentee)
    assert client.get(reverse("profiles:me")).status_code == 200
    response = _step(client, "about", {"p-training_level": "MS2", "a-w_specialty": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?step=needs")
    needs = {
        "n-need_1": areas["test_taking"],
        "n-need_2": areas["research"],
        "n-need_3": "",
        "n-need_4": "",
        "n-need_5": "",
    }
    assert _step(client, "needs", needs)["Location"].endswith("?step=places")
    assert _step(client, "places", {"a-w_language": "1"})["Location"].endswith("?step=identity")
    assert _step(client, "identity", {})["Location"].endswith("?step=background")
    first_gen = IdentityOption.objects.get(key="first_generation").pk
    response = _step(
        client,
        "background",
        {"id-dim_first_generation": first_gen, "id-dim_first_generation_shared": "on", "a-w_first_generation": "3"},
    )
    assert response["Location"].endswith("?step=consent")
    assert _step(client, "consent", {"p-consent_matching": "on"})["Location"].endswith("?step=review")
    profile = cast.mentee.mentee_profile
    profile.refresh_from_db()
    assert [(n.content_area.key, n.rank) for n in profile.needs.all()] == [("test_taking", 1), ("research", 2)]
    weights = {a.dimension: a.weight for a in profile.affinities.all()}
    assert (weights["first_generation"], weights["language"], weights["specialty"]) == (3, 1, 1)
    assert profile.is_complete and profile.training_level == "MS2" and profile.consent_matching
    assert profile.membership.identity_values.get(option_id=first_gen).shared


def test_a_step_saves_only_its_own_answers(cast):
    client = cast.client_for(cast.mentee)
    _step(client, "about", {"p-training_level": "MS2", "p-phone": "312-555-0101"})
    _step(client, "consent", {"p-consent_research": "on"})  # training level and phone are not in this step
    profile = cast.mentee.mentee_profile
    profile.refresh_from_db()
    assert (profile.training_level, profile.phone, profile.consent_research) == ("MS2", "312-555-0101", True)


def test_each_section_says_who_sees_it_once_and_asks_what_matters_after_the_question(cast):
    from mentormemed.profiles.mentee_steps import PRIVACY_SHARED

    client = cast.client_for(cast.mentee)
    for key in ("places", "identity", "background"):
        html = client.get(f"{reverse('profiles:me')}?step={key}").content.decode()
        assert html.count(PRIVACY_SHARED[:60]) == 1, key
    html = client.get(f"{reverse('profiles:me')}?step=identity").content.decode()
    question = html.index("What is your race and/or ethnicity?")
    share = html.index("Share my answer about race and ethnicity")
    matters = html.index("How much does it matter to you that a mentor shares your race and ethnicity?")
    assert question < share < matters < html.index("What is your current gender identity?")
    assert "Step 4 of 7" in html


def test_the_review_summarises_every_step(cast):
    client = cast.client_for(cast.mentee)
    _step(client, "about", {"p-training_level": "MS4", "p-phone": "312-555-0101", "a-w_specialty": "2"})
    html = client.get(f"{reverse('profiles:me')}?step=review").content.decode()
    for text in ("Step 7 of 7: Review", "MS4", "312-555-0101", "matters: somewhat", "Areas of need", "Privacy choices"):
        assert text in html, text


def test_duplicate_needs_are_refused(cast):
    area = ContentArea.objects.get(key="research").pk
    response = cast.client_for(cast.mentee).post(
        f"{reverse('profiles:me')}?step=needs", {"n-need_1": area, "n-need_2": area}
    )
    assert response.status_code == 200
    assert "only once" in response.content.decode()
