"""R25, R38: the research export against linkage and against its own requester."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import defaultdict

import pytest
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.evaluations.models import Evaluation
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import MentorshipRequest
from mentormemed.outcomes import research, services
from mentormemed.outcomes.testing import research_request
from mentormemed.outcomes.tests.conftest import consenting
from mentormemed.testing.factories import MembershipFactory, UserFactory, onboard

K = 11
LEVELS = ["MS1", "MS2", "MS3", "MS4", "PGY1", "PGY2", "PGY3"]


def _read(content: bytes) -> tuple[list[dict], str]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    lines = archive.read("data.csv").decode().splitlines()
    header = lines[0].split(",")
    return [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]], archive.read("README.txt").decode()


@pytest.fixture
def cohort(cast, settings):
    """40 consenting mentees across seven levels, each asking one of two mentors over ten months;
    the researcher is a third mentor at A who mentored four of them."""
    settings.MMM = {**settings.MMM, "SMALL_CELL_MIN": K}
    mentors = [mt.mentor_profile(cast.mentor_b, scope="national"), mt.mentor_profile(cast.mentor)]
    researcher = onboard(MembershipFactory(institution=cast.inst_a, role="mentor", user=UserFactory()))
    own = mt.mentor_profile(researcher, capacity=3)
    now = timezone.now()
    mentees = []
    for n in range(40):
        m = consenting(
            onboard(MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory())), level=LEVELS[n % 7]
        )
        mentees.append(m)
        r = mt.pending_request(m, mentors[n % 2], created_at=now - dt.timedelta(days=30 * (n % 10) + 3))
        MentorshipRequest.objects.filter(pk=r.pk).update(state="declined", responded_at=r.created_at)
    for m in mentees[:3]:
        rel = mt.relationship(m, own, started_at=now - dt.timedelta(days=200))
        Evaluation.objects.create(
            relationship=rel,
            mentor=own,
            mentee=m,
            competency_mean=5.67,
            overall=6,
            answers={},
            version_id=_version(),
            occasion="periodic",
            due_on=dt.date.today(),
        )
    return {"researcher": researcher, "own": own, "mentees": mentees}


def _version():
    from mentormemed.evaluations.models import InstrumentVersion

    return InstrumentVersion.objects.filter(instrument__kind="mentor_evaluation").values_list("pk", flat=True).first()


@pytest.mark.django_db
def test_r38_every_combination_of_quasi_identifiers_holds_k_mentees(cast, cohort):
    item = research_request(cohort["researcher"], state="approved")
    rows, readme = _read(services.research_export(acting=Actor.for_user(cast.staff), request=item))
    assert rows, "the export still has data"
    columns = [c for c in research.QUASI_IDENTIFIERS if c in rows[0]]
    assert {"training_level", "request_month", "institution_state"} <= set(columns)
    mentees = defaultdict(set)
    for row in rows:
        mentees[tuple(row[c] for c in columns)].add(row["mentee_id"])
    assert min(len(people) for people in mentees.values()) >= K, "linkage on the combination finds ≥ k people"
    # Coarsened, not blanked: the approved training level still says something.
    assert {r["training_level"] for r in rows} & {"UME", "GME", *LEVELS}
    assert "suppressed" not in {v for r in rows for v in r.values()}
    assert "training_level: training level grouped into UME / GME" in readme
    assert f"shared by at least {K} different mentees" in readme


@pytest.mark.django_db
def test_r38_the_requester_finds_neither_their_mentees_nor_a_mentor_pseudonym_beside_scores(cast, cohort):
    item = research_request(cohort["researcher"], state="approved")
    rows, readme = _read(services.research_export(acting=Actor.for_user(cast.staff), request=item))
    own_mentees = {research.pseudonym(item.export_salt, "mentee", m.pk) for m in cohort["mentees"][:3]}
    own_mentor = research.pseudonym(item.export_salt, "mentor", cohort["own"].pk)
    assert not [r for r in rows if r["mentee_id"] in own_mentees and r.get("relationship_start_month")]
    assert "mentor_id" not in rows[0], "evaluation means are exported, so mentor pseudonyms are not"
    assert own_mentor not in str(rows)
    assert "5.67" not in str(rows)
    assert "Rows left out because the requester took part in them: 3." in readme


@pytest.mark.django_db
def test_r25_staff_download_the_archive(cast, cohort):
    item = research_request(cohort["researcher"], state="approved")
    response = cast.client_for(cast.staff).get(reverse("outcomes:staff_research_export", args=[item.pk]))
    assert response["Content-Type"] == "application/zip"
    rows, _ = _read(response.content)
    assert rows
