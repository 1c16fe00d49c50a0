"""R39, issue 19: a count before a noun agrees with it in English and Spanish ("1 pair", not "1 pairs")."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from mentormemed.mentorships.testing import fully_onboard, mentor_profile, new_member
from mentormemed.programs import testing
from mentormemed.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "ready", "summary", "published"),
    [
        (
            "en",
            "Proposal ready: 1 pair. Review it before publishing.",
            "1 of 1 mentee paired with 1 mentor",
            "Published: 1 introduction sent.",
        ),
        (
            "es",
            "Propuesta lista: 1 pareja. Revísela antes de publicar.",
            "1 de 1 aprendiz emparejado con 1 mentor",
            "Publicada: 1 presentación enviada.",
        ),
    ],
)
def test_r39_one_pair_reads_singular_in_each_language(cast, language, ready, summary, published):
    program = testing.national_program()
    learner = new_member(cast.inst_a, "mentee", "single@alpha.edu")
    mentor = fully_onboard(
        MembershipFactory(institution=cast.inst_b, role="mentor", user=UserFactory(email="one@beta.org"))
    )
    mentor_profile(mentor, scope="national")
    testing.enrol(program, learner, mentor)
    cast.staff.language = language
    cast.staff.save(update_fields=["language"])
    client = cast.client_for(cast.staff)

    solved = client.post(reverse("programs:staff_solve", args=[program.pk]), follow=True)
    assert [str(m) for m in get_messages(solved.wsgi_request)] == [ready]
    page = solved.content.decode()
    assert summary in page, page
    assert "1 pairs" not in page and "1 mentees" not in page and "1 mentors" not in page

    round_pk = solved.resolver_match.kwargs["pk"]
    done = client.post(reverse("programs:staff_round_publish", args=[round_pk]), follow=True)
    assert [str(m) for m in get_messages(done.wsgi_request)] == [published]
