"""R24 participation letters, R25 research requests and exports, R3 invoices."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.mentorships import testing as mt
from mentormemed.outcomes import research, services
from mentormemed.outcomes.models import InvoiceIssue, ResearchRequest
from mentormemed.outcomes.testing import PDF_BYTES, research_request
from mentormemed.outcomes.tests.conftest import consenting
from mentormemed.scheduling.testing import meeting
from mentormemed.testing.factories import MembershipFactory, UserFactory, onboard


def pdf_text(content: bytes) -> str:
    # Line breaks depend on name lengths: compare words, not layout.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.mark.django_db
def test_r3_invoice_pdf_has_the_terms_figures_and_admins_download_their_own(cast):
    sub = cast.inst_a.subscriptions.first()
    sub.invoice_due = dt.date(2025, 3, 1)
    sub.save()
    staff = cast.client_for(cast.staff)
    assert staff.post(reverse("outcomes:staff_invoice_issue", args=[sub.pk])).status_code == 302
    assert InvoiceIssue.objects.filter(subscription=sub).exists()
    assert AuditEntry.objects.filter(action="invoice.issue", institution=cast.inst_a).exists()
    response = cast.client_for(cast.admin).get(reverse("outcomes:invoice_pdf", args=[sub.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in [
        sub.invoice_number,
        cast.inst_a.name,
        "Medium",
        "24,000.00",
        f"{sub.term_start:%B} {sub.term_start.day}, {sub.term_start.year}",
        "March 1, 2025",
    ]:
        assert expected in text, expected
    assert cast.client_for(cast.admin_b).get(reverse("outcomes:invoice_pdf", args=[sub.pk])).status_code == 404


@pytest.mark.django_db
def test_r24_participation_letter_shows_the_record_against_the_threshold(cast):
    mentor = mt.mentor_profile(cast.mentor)
    for _ in range(2):
        mentee = onboard(MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory()))
        rel = mt.relationship(mentee, mentor, started_at=timezone.now() - dt.timedelta(days=30))
    client = cast.client_for(cast.admin)
    client.post(
        reverse("outcomes:reward_threshold"),
        {"min_mentees": 2, "min_meetings": 0, "min_modules": 0, "min_cme_credits": "0"},
    )
    assert "Not yet" in client.get(reverse("outcomes:reward")).content.decode(), "no meeting held: never meets"
    meeting(rel, starts_at=timezone.now() - dt.timedelta(days=3), status="held")
    client.post(
        reverse("outcomes:reward_threshold"),
        {
            "min_mentees": 2,
            "min_meetings": 0,
            "min_modules": 0,
            "min_cme_credits": "0",
            "signer_name": "Dr. Ada Reyes",
            "signer_title": "Associate Dean for Diversity",
        },
    )
    page = client.get(reverse("outcomes:reward")).content.decode()
    assert "Meets" in page
    response = client.get(reverse("outcomes:reward_letter", args=[mentor.pk]))
    text = pdf_text(response.content)
    name = cast.mentor.user.get_full_name()
    assert name in text and "meets this threshold" in text
    assert "Mentees mentored 2 over 12 months, at most 2 at once" in text
    assert "Dr. Ada Reyes" in text
    assert cast.client_for(cast.admin_b).get(reverse("outcomes:reward_letter", args=[mentor.pk])).status_code == 404


@pytest.mark.django_db
def test_r24_letter_is_written_in_the_language_its_pdf_declares(cast):
    """An admin who reads Spanish downloads a letter whose text is Spanish and whose /Lang says so."""
    mentor = mt.mentor_profile(cast.mentor)
    mentee = onboard(MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory()))
    rel = mt.relationship(mentee, mentor, started_at=timezone.now() - dt.timedelta(days=30))
    meeting(rel, starts_at=timezone.now() - dt.timedelta(days=3), status="held")
    cast.admin.user.language = "es"
    cast.admin.user.save(update_fields=["language"])
    response = cast.client_for(cast.admin).get(reverse("outcomes:reward_letter", args=[mentor.pk]))
    assert str(PdfReader(io.BytesIO(response.content)).trailer["/Root"]["/Lang"]) == "es"
    text = pdf_text(response.content)
    assert "Al Comité de Nombramientos, Promociones y Titularidad" in text
    assert "Aprendices acompañados 1 en 12 meses, como máximo 1 a la vez" in text
    assert "Atentamente" in text
    for english in ("To the Committee", "Mentees mentored", "over 12 months", "Sincerely", "meets this threshold"):
        assert english not in text, english


@pytest.mark.django_db
def test_r25_submit_checks_the_document_and_every_step_is_audited(cast):
    client = cast.client_for(cast.mentor)
    data = {
        "title": "Affinity",
        "question": "Does affinity matter?",
        "variables": ["training_level", "areas"],
        "irb_status": "approved",
        "irb_number": "17-0042",
    }
    fake = SimpleUploadedFile("irb.pdf", b"MZ not a pdf", content_type="application/pdf")
    client.post(reverse("outcomes:research"), {**data, "irb_document": fake})
    assert not ResearchRequest.objects.exists()
    good = SimpleUploadedFile("irb.pdf", PDF_BYTES, content_type="application/pdf")
    assert client.post(reverse("outcomes:research"), {**data, "irb_document": good}).status_code == 302
    item = ResearchRequest.objects.get()
    staff = cast.client_for(cast.staff)
    staff.post(reverse("outcomes:staff_research_detail", args=[item.pk]), {"decision": "approve", "note": ""})
    item.refresh_from_db()
    assert item.state == "submitted", "a decision needs a note"
    detail = reverse("outcomes:staff_research_detail", args=[item.pk])
    staff.post(detail, {"decision": "approve", "note": "Fine."})
    item.refresh_from_db()
    assert item.state == "submitted", "approving needs the agreement's recipients and destruction date"
    destroy_by = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    terms = {"decision": "approve", "note": "Fine.", "recipients": "Dr. A (PI)", "destroy_by": destroy_by}
    staff.post(detail, terms)
    item.refresh_from_db()
    assert item.state == "approved" and item.export_salt and item.agreement.state == "awaiting"
    staff.get(reverse("outcomes:staff_research_export", args=[item.pk]))
    client.post(
        reverse("outcomes:research_agreement", args=[item.pk]), {"action": "accept", "full_name": "A", "accept": "on"}
    )
    assert client.get(reverse("outcomes:research_export", args=[item.pk]))["Content-Type"] == "application/zip"
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert {"research.submit", "research.approve", "research.agreement_accept", "research.export"} <= set(actions)
    assert actions.count("research.export") == 1, "no export before the agreement was accepted"


@pytest.mark.django_db
def test_r25_export_contains_no_identifier_and_consistent_pseudonyms(cast, settings):
    settings.MMM = {**settings.MMM, "SMALL_CELL_MIN": 2}
    mentor = mt.mentor_profile(cast.mentor)
    mentees = []
    for n in range(3):
        m = onboard(
            MembershipFactory(
                institution=cast.inst_a,
                role="mentee",
                user=UserFactory(email=f"learner{n}@alpha.edu", first_name=f"Zelda{n}", last_name="Quintero"),
            )
        )
        consenting(m, level="MS3" if n < 2 else "PGY1")
        mentees.append(m)
    private = onboard(
        MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory(email="nope@alpha.edu"))
    )
    consenting(private, research=False)
    for m in mentees:
        r = mt.pending_request(m, mentor, created_at=timezone.now() - dt.timedelta(days=40))
        r.state = "declined"
        r.save(update_fields=["state"])
    rel = mt.relationship(mentees[0], mentor, started_at=timezone.now() - dt.timedelta(days=10))
    mt.pending_request(private, mentor)
    item = research_request(cast.mentor_b, state="approved")  # a researcher elsewhere: none of these are theirs
    archive = zipfile.ZipFile(io.BytesIO(services.research_export(acting=Actor.for_user(cast.staff), request=item)))
    content = archive.read("data.csv").decode()
    lines = content.splitlines()
    # Four requests of consenting mentees; the accepted one is alone in its relationship-month class (< 2): left out.
    assert len(lines) == 1 + 3
    readme = archive.read("README.txt").decode()
    assert "Rows left out because they stayed in a group of fewer than 2 mentees: 1." in readme
    assert "@" not in content
    assert not re.search(r"\d{4}-\d{2}-\d{2}", content), "no exact dates"
    for user in [m.user for m in mentees] + [cast.mentor.user, private.user]:
        for part in (user.first_name, user.last_name, user.email):
            assert part not in content
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    first = research.pseudonym(item.export_salt, "mentee", mentees[0].pk)
    again = zipfile.ZipFile(io.BytesIO(services.research_export(acting=Actor.for_user(cast.staff), request=item)))
    assert first in content and first in again.read("data.csv").decode(), "the same mentee keeps one pseudonym"
    assert str(mentees[0].pk) not in {r["mentee_id"] for r in rows}
    assert {r["training_level"] for r in rows} <= {"MS3", "PGY1", "UME", "GME", "any"}, "coarsened, never blanked"
    assert "suppressed" not in content
    assert all(re.fullmatch(r"\d{4}-\d{2}|\d{4}-Q\d|any", r["request_month"]) for r in rows), "months at most"
    assert rel.pk


@pytest.mark.django_db
def test_r24_participation_counts_only_meetings_that_were_held(cast):
    from mentormemed.outcomes.reward import participation_records
    from mentormemed.scheduling.testing import meeting

    mentor = mt.mentor_profile(cast.mentor)
    mentee = onboard(MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory()))
    rel = mt.relationship(mentee, mentor, started_at=timezone.now() - dt.timedelta(days=90))
    week = dt.timedelta(days=7)
    meeting(rel, starts_at=timezone.now() - 6 * week, status="held")
    meeting(rel, starts_at=timezone.now() - 4 * week, status="held")
    meeting(rel, starts_at=timezone.now() - 2 * week, status="cancelled")
    meeting(rel, starts_at=timezone.now() + week)  # still to come
    (record,) = participation_records(institution=cast.inst_a, mentor_ids=[mentor.pk])
    assert record.meetings == 2


@pytest.mark.django_db
def test_r24_reward_table_sorts_filters_and_exports_defused_csv(cast):
    mentor = mt.mentor_profile(cast.mentor)
    busy = mt.new_member(cast.inst_a, "mentor", "busy@alpha.edu")
    busy_profile = mt.mentor_profile(busy)
    busy.user.first_name, busy.user.last_name = "=HYPERLINK(1)", "Aaron"
    busy.user.save()
    for i in range(4):  # four mentees over the year, never more than two at once
        mentee = onboard(MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory()))
        start = timezone.now() - dt.timedelta(days=300 - 70 * i)
        rel = mt.relationship(mentee, busy_profile, started_at=start)
        if i < 3:
            rel.ended_at = start + dt.timedelta(days=100)
            rel.save()
        meeting(rel, starts_at=start + dt.timedelta(days=5), status="held")
    client = cast.client_for(cast.admin)
    page = client.get(reverse("outcomes:reward"), {"sort": "mentees", "dir": "desc"}).content.decode()
    assert page.index("Aaron") < page.index(cast.mentor.user.last_name)
    assert "over 12 months, at most 2 at once" in page
    assert 'aria-sort="descending"' in page
    not_yet = client.get(reverse("outcomes:reward"), {"status": "not_yet"}).content.decode()
    assert cast.mentor.user.last_name in not_yet and "Aaron" not in not_yet, "0 meetings never meets"
    meets = client.get(reverse("outcomes:reward"), {"status": "meets"}).content.decode()
    assert "Aaron" in meets and f"letter for {cast.mentor.user.get_full_name()}" not in meets
    found = client.get(reverse("outcomes:reward"), {"q": "aarón"}).content.decode()  # accents forgiven
    assert "Aaron" in found and f"letter for {cast.mentor.user.get_full_name()}" not in found
    response = client.get(reverse("outcomes:reward_csv"), {"status": "meets"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Mentor,E-mail,Mentees over 12 months,Most mentees at once")
    assert len(lines) == 2 and lines[1].startswith("'=HYPERLINK(1) Aaron,busy@alpha.edu,4,2,4,")
    assert AuditEntry.objects.filter(action="reward.export", institution=cast.inst_a).exists()
    assert mentor.pk  # the unsorted mentor is still in the full table
    assert cast.client_for(cast.mentor).get(reverse("outcomes:reward_csv")).status_code == 403


@pytest.mark.django_db
def test_r18_r24_the_reward_table_shows_the_mean_the_mentor_sees_and_counts_mentees(cast):
    import time_machine

    from mentormemed.evaluations import selectors as evaluations
    from mentormemed.evaluations.tests.test_evaluations import LATER, _evaluations
    from mentormemed.outcomes.reward import participation_records

    mentor = mt.mentor_profile(cast.mentor)
    _evaluations(cast, mentor, 2, score_of=lambda i: 6)
    with time_machine.travel(timezone.now() + LATER):
        (record,) = participation_records(institution=cast.inst_a, mentor_ids=[mentor.pk])
        assert record.evaluation_mean is None, "two mentees' answers are never averaged for anyone"
    _evaluations(cast, mentor, 2, score_of=lambda i: 3)
    with time_machine.travel(timezone.now() + LATER):
        (record,) = participation_records(institution=cast.inst_a, mentor_ids=[mentor.pk])
        feedback = evaluations.mentor_feedback(mentor=mentor)
    assert record.evaluation_mean == feedback.competency_mean and record.evaluations_released == feedback.released == 3
