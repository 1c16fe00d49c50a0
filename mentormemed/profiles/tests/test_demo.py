from __future__ import annotations

import pytest

from mentormemed.core.demo import DemoContext
from mentormemed.matching.selectors import recommend, searchable_mentors
from mentormemed.profiles.models import MentorProfile


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from mentormemed.institutions import demo as institutions_demo
    from mentormemed.profiles import demo as profiles_demo
    from mentormemed.training import demo as training_demo

    ctx = DemoContext()
    institutions_demo.build(ctx)
    profiles_demo.build(ctx)
    training_demo.build(ctx)  # R7: only mentors who finished their training are recommended
    return ctx


def test_demo_mentors_reproduce_the_pilot_figures_exactly(demo):
    """Seed 002: 17 specialties, 30 subspecialties, 4 racial identities, 3 sexual orientations,
    4 native languages, 29 home states and 4 home countries among the 100 mentors."""
    from mentormemed.profiles.demo import pilot_figures

    assert len(demo.mentors) == 100
    assert pilot_figures(demo.mentors) == {
        "specialties": 17,
        "subspecialties": 30,
        "racial_identities": 4,
        "sexual_orientations": 3,
        "native_languages": 4,
        "home_states": 29,
        "home_countries": 4,
    }


def test_demo_has_unsearchable_mentors_and_a_national_featured_mentor(demo):
    profiles = MentorProfile.objects.filter(membership__in=demo.mentors)
    assert profiles.filter(is_complete=False).count() >= 2
    assert profiles.filter(is_complete=True, search_consent=False).count() >= 2
    featured = profiles.get(membership=demo.featured["mentor"])
    assert featured.scope == "national" and featured.is_complete and featured.search_consent


def test_r10_featured_mentee_gets_good_explainable_recommendations(demo):
    mentee = demo.featured["mentee"]
    assert mentee.user.last_name == "Nwosu"
    assert searchable_mentors(viewer=mentee).count() > 40
    recs = recommend(mentee=mentee, limit=5)
    assert len(recs) == 5
    for rec in recs:
        assert rec.covers, rec.reasons  # every suggestion offers help with one of Adaeze's needs
        assert rec.reasons[0].startswith(("shares:", "offers:"))
    assert sum("first-generation" in " ".join(r.reasons) for r in recs) >= 3


def test_a_spanish_speaking_mentee_reads_the_demo_in_spanish(demo):
    from mentormemed.accounts.models import MenteeEligibility, ReviewStatus
    from mentormemed.profiles.models import MenteeProfile

    reader = demo.featured["mentee_es"]
    reader.user.refresh_from_db()
    assert reader.user.email == "estudiante@demo.mentormemed.org" and reader.user.language == "es"
    assert reader.role == "mentee" and reader.institution.name.startswith("Northgate")
    assert MenteeEligibility.objects.filter(membership=reader, status=ReviewStatus.CONFIRMED).exists()
    assert MenteeProfile.objects.get(membership=reader).languages.filter(key="es").exists()
    assert ("mentee", reader.user.email) in [(role, email) for role, email, _ in demo.sign_ins]
