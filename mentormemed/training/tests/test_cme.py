"""R22: CME claims, certificates, public verification, transcript, PARS export, admin scope."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.institutions.models import Membership
from mentormemed.testing.factories import MembershipFactory, UserFactory, onboard
from mentormemed.training import exports, pdf, services
from mentormemed.training.models import ActivityEvaluation, CmeClaim
from mentormemed.training.teaching import _SOURCES, TeachingSession, register_teaching_source, teaching_log
from mentormemed.training.testing import complete_module, evaluate, make_claim

pytestmark = pytest.mark.django_db

VALID_NPI = "1234567893"  # the check-digit example of the NPI standard


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _claim(membership, completion, credits):
    if completion.membership_id == membership.pk and completion.version.carries_cme:
        evaluate(membership, completion)
    return services.cme_claim(
        acting=Actor.for_membership(membership), completion=completion, credits=credits, attested_participation=True
    )


def test_r22_credits_above_the_maximum_are_refused(cast):
    completion = complete_module(cast.mentor, "mentoring-across-difference")  # max 0.50
    with pytest.raises(ValidationError, match="at most 0.50 credits"):
        _claim(cast.mentor, completion, Decimal("0.75"))
    assert not CmeClaim.objects.exists()


@pytest.mark.parametrize("credits", ["0.30", "0.10", "0.6", "1.001"])
def test_r22_credits_not_in_quarter_steps_are_refused(cast, credits):
    completion = complete_module(cast.mentor, "effective-mentor")
    with pytest.raises(ValidationError, match="steps of 0.25"):
        _claim(cast.mentor, completion, Decimal(credits))


def test_r22_zero_credits_and_missing_attestation_are_refused(cast):
    completion = complete_module(cast.mentor, "effective-mentor")
    evaluate(cast.mentor, completion)
    with pytest.raises(ValidationError, match="at least 0.25"):
        _claim(cast.mentor, completion, Decimal("0"))
    with pytest.raises(ValidationError, match="Attest that you participated"):
        services.cme_claim(
            acting=Actor.for_membership(cast.mentor),
            completion=completion,
            credits=Decimal("1"),
            attested_participation=False,
        )


def test_r22_the_database_holds_the_quarter_step_rule(cast):
    claim = make_claim(cast.mentor, credits="0.75")
    with pytest.raises(IntegrityError), transaction.atomic():
        CmeClaim.objects.filter(pk=claim.pk).update(credits=Decimal("0.70"))
    CmeClaim.objects.filter(pk=claim.pk).update(credits=Decimal("0.50"))  # a quarter step is fine


def test_r22_only_a_mentor_with_a_credit_bearing_completion_can_claim(cast):
    mentee_completion = complete_module(cast.mentee, "getting-the-most-from-mentorship")
    with pytest.raises(ValidationError, match="claimed by mentors"):
        _claim(cast.mentee, mentee_completion, Decimal("0.25"))
    other = complete_module(cast.mentor_b, "effective-mentor")
    with pytest.raises(ValidationError, match="your own completed modules"):
        _claim(cast.mentor, other, Decimal("0.25"))
    mine = complete_module(cast.mentor, "effective-mentor")
    _claim(cast.mentor, mine, Decimal("1.00"))
    with pytest.raises(ValidationError, match="already claimed"):
        _claim(cast.mentor, mine, Decimal("0.25"))


def test_r22_reporting_identifiers_are_validated(cast):
    completion = complete_module(cast.mentor, "effective-mentor")
    evaluate(cast.mentor, completion)
    with pytest.raises(ValidationError, match="NPI is not valid"):
        services.cme_claim(
            acting=Actor.for_membership(cast.mentor),
            completion=completion,
            credits="1",
            attested_participation=True,
            npi="1234567890",
        )
    with pytest.raises(ValidationError, match="do not exist"):
        services.cme_claim(
            acting=Actor.for_membership(cast.mentor),
            completion=completion,
            credits="1",
            attested_participation=True,
            birth_month=2,
            birth_day=30,
        )
    claim = services.cme_claim(
        acting=Actor.for_membership(cast.mentor),
        completion=completion,
        credits="1",
        attested_participation=True,
        npi=VALID_NPI,
        licence_state="il",
        licence_number="036-123456",
        birth_month=2,
        birth_day=29,
    )
    assert (claim.npi, claim.licence_state, claim.birth_day) == (VALID_NPI, "IL", 29)


def test_r22_certificate_pdf_contains_name_title_credits_and_statements(cast, settings):
    settings.CME_PROVIDER_NAME = "Northgate Office of CME"
    claim = make_claim(cast.mentor, "effective-mentor", credits="0.75")
    text = _pdf_text(pdf.certificate_pdf(claim))
    flat = " ".join(text.split())
    assert cast.mentor.user.get_full_name() in flat
    assert "How to Be an Effective Mentor" in flat
    assert "0.75 AMA PRA Category 1 Credit(s)" in flat
    assert "Enduring material" in flat
    assert "Northgate Office of CME designates this enduring material for a maximum of 1.00" in flat
    assert claim.certificate_number in flat
    assert f"/verify/cme/{claim.certificate_number}/" in flat


def test_r22_certificate_download_is_the_owners_alone(cast):
    claim = make_claim(cast.mentor)
    url = reverse("training:certificate", args=[claim.certificate_number])
    response = cast.client_for(cast.mentor).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    colleague = onboard(MembershipFactory(institution=cast.inst_a, role="mentor", user=UserFactory()))
    assert cast.client_for(colleague).get(url).status_code == 404
    assert cast.client_for(cast.mentor_b).get(url).status_code == 404


def test_r22_verification_url_confirms_a_real_certificate_and_404s_a_made_up_one(cast, client):
    claim = make_claim(cast.mentor)
    response = client.get(pdf.verification_url(claim).removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This certificate is genuine" in page and claim.certificate_number in page
    assert "How to Be an Effective Mentor" in page and "1.00" in page
    assert claim.npi not in page or not claim.npi
    assert client.get(reverse("training:verify_number", args=["MMM-2026-ABCD-EFGH"])).status_code == 404
    lookup = client.get(reverse("training:verify"), {"number": claim.certificate_number.lower()})
    assert lookup.status_code == 302 and client.get(lookup["Location"]).status_code == 200


def test_r22_transcript_page_and_pdf_list_every_claim(cast):
    make_claim(cast.mentor, "effective-mentor", credits="1.00")
    make_claim(cast.mentor, "mentoring-across-difference", credits="0.50")
    client = cast.client_for(cast.mentor)
    page = client.get(reverse("training:cme")).content.decode()
    assert "2 claims, 1.50 AMA PRA Category 1 Credits™ in total" in page
    text = " ".join(_pdf_text(client.get(reverse("training:transcript_pdf")).content).split())
    assert "How to Be an Effective Mentor" in text and "Mentoring Across Difference" in text and "1.50" in text


def test_r22_pars_export_has_the_learner_fields_in_order(cast):
    user = cast.mentor.user
    user.first_name, user.last_name = "Amara", "Okafor"
    user.save()
    complete_module(cast.mentor, "effective-mentor")
    claim = make_claim(cast.mentor, credits="0.75", npi=VALID_NPI, board_id="ABIM-778", birth_month=3, birth_day=7)
    make_claim(cast.mentor_b, credits="0.25")
    response = cast.client_for(cast.staff).get(
        reverse("training:staff_claims_export", args=["pars"]), {"institution": cast.inst_a.pk}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/tab-separated-values")
    lines = response.content.decode().splitlines()
    assert len(lines) == 1  # filtered to institution A, no header row
    fields = lines[0].split("\t")
    assert len(fields) == len(exports.PARS_COLUMNS) == 11
    assert fields == [
        f"effective-mentor-v{claim.version.version}",
        "Amara",
        "Okafor",
        VALID_NPI,
        "",
        "",
        "ABIM-778",
        "03",
        "07",
        claim.completed_on.strftime("%m/%d/%Y"),
        "0.75",
    ]
    assert AuditEntry.objects.filter(action="training.claims_export", detail__format="pars").exists()


def test_r22_csv_export_has_a_header_and_defuses_formulas(cast):
    user = cast.mentor.user
    user.last_name = "=HYPERLINK()"
    user.save()
    make_claim(cast.mentor)
    text = cast.client_for(cast.staff).get(reverse("training:staff_claims_export", args=["csv"])).content.decode()
    header, row = text.splitlines()[:2]
    assert header.split(",")[:3] == ["Provider Activity ID", "Learner First Name", "Learner Last Name"]
    assert "'=HYPERLINK()" in row


def test_r22_admin_sees_only_their_own_institutions_claims(cast, django_assert_max_num_queries):
    mine = make_claim(cast.mentor)
    theirs = make_claim(cast.mentor_b)
    client = cast.client_for(cast.admin)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("training:institution")).content.decode()
    assert mine.certificate_number in page and theirs.certificate_number not in page
    assert cast.mentor_b.user.display_name not in page
    csv_text = client.get(reverse("training:institution_claims_csv")).content.decode()
    assert mine.certificate_number in csv_text and theirs.certificate_number not in csv_text
    assert "NPI" not in csv_text.splitlines()[0]  # identifiers are for PARS, not for admins


def test_r22_admin_page_query_count_does_not_grow_with_people(cast, django_assert_max_num_queries):
    for _ in range(12):
        m = onboard(MembershipFactory(institution=cast.inst_a, role="mentor", user=UserFactory()))
        make_claim(m)
    client = cast.client_for(cast.admin)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("training:institution"), {"role": "mentor"})
    page = response.content.decode()
    # Each claimer attested one of the two required mentor modules; cast.mentor attested none.
    assert page.count("1 missing") == 12 and page.count("2 missing") == 1
    assert Membership.objects.filter(institution=cast.inst_a, role="mentor").count() == 13


def test_r22_staff_claims_list_query_count_is_bounded(cast, django_assert_max_num_queries):
    for _ in range(8):
        make_claim(onboard(MembershipFactory(institution=cast.inst_b, role="mentor", user=UserFactory())))
    client = cast.client_for(cast.staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("training:staff_claims"))
    assert "8 claims" in response.content.decode()


def test_r22_learning_from_teaching_seam_sums_registered_hours(cast):
    def sessions(*, membership, start, end):
        return [TeachingSession(dt.date(2026, 1, 5), Decimal("1.5"), "Meeting with a mentee")]

    register_teaching_source(sessions)
    try:
        log = teaching_log(membership=cast.mentor, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
        assert log.hours == Decimal("1.5") and len(log.sessions) == 1
        assert "Learning from Teaching" in cast.client_for(cast.mentor).get(reverse("training:cme")).content.decode()
    finally:
        _SOURCES.remove(sessions)


def test_r22_no_credit_without_the_activity_evaluation(cast):
    completion = complete_module(cast.mentor, "effective-mentor")
    with pytest.raises(ValidationError, match="activity evaluation before claiming"):
        services.cme_claim(
            acting=Actor.for_membership(cast.mentor), completion=completion, credits="1", attested_participation=True
        )
    client = cast.client_for(cast.mentor)
    page = client.get(reverse("training:claim", args=["effective-mentor"])).content.decode()
    assert "Evaluate the activity" in page and "Credits claimed" not in page
    response = client.post(
        reverse("training:claim", args=["effective-mentor"]),
        {"objectives_met": "4", "relevance": "5", "free_of_bias": "yes", "practice_change": "already"},
    )
    assert response.status_code == 302
    evaluation = ActivityEvaluation.objects.get(completion=completion)
    assert (evaluation.objectives_met, evaluation.relevance, evaluation.free_of_bias) == (4, 5, True)
    assert "Credits claimed" in client.get(reverse("training:claim", args=["effective-mentor"])).content.decode()
    with pytest.raises(ValidationError, match="already evaluated"):
        evaluate_again = {"objectives_met": 1, "relevance": 1, "free_of_bias": False, "practice_change": "no_change"}
        services.activity_evaluate(acting=Actor.for_membership(cast.mentor), completion=completion, **evaluate_again)


def test_r22_an_evaluation_out_of_range_changes_nothing(cast):
    completion = complete_module(cast.mentor, "effective-mentor")
    with pytest.raises(ValidationError, match="strongly disagree"):
        services.activity_evaluate(
            acting=Actor.for_membership(cast.mentor),
            completion=completion,
            objectives_met=9,
            relevance=3,
            free_of_bias=True,
            practice_change="already",
        )
    other = complete_module(cast.mentor_b, "effective-mentor")
    with pytest.raises(ValidationError, match="only activities you completed"):
        services.activity_evaluate(
            acting=Actor.for_membership(cast.mentor),
            completion=other,
            objectives_met=3,
            relevance=3,
            free_of_bias=True,
            practice_change="already",
        )
    assert not ActivityEvaluation.objects.exists()


def test_r22_certificate_has_issue_date_signature_and_provider_block_on_one_page(cast, settings):
    settings.CME_SIGNATORY_NAME = "Dr. Ana Ruiz"
    settings.CME_SIGNATORY_TITLE = "Medical Director, CME"
    settings.CME_PROVIDER_ADDRESS = "7 Hill Road|Albany, NY 12208"
    claim = make_claim(cast.mentor)
    data = pdf.certificate_pdf(claim)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = " ".join(_pdf_text(data).split())
    assert f"Date issued: {timezone.localdate(claim.claimed_at):%B} {timezone.localdate(claim.claimed_at).day}" in text
    assert "Dr. Ana Ruiz" in text and "Medical Director, CME" in text
    assert "7 Hill Road · Albany, NY 12208" in text
