"""R21 (library, versions, knowledge checks, attestation) and R7 (the training gate)."""

from __future__ import annotations

import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.core.onboarding import checklist, missing_steps
from mentormemed.training import services
from mentormemed.training.models import CheckAttempt, Completion, Module
from mentormemed.training.rendering import render_markdown
from mentormemed.training.selectors import library, missing_required_modules
from mentormemed.training.testing import complete_module, complete_required, correct_answers

pytestmark = pytest.mark.django_db

MENTEE_TITLES = {
    "How to Get the Most from Your Mentorship Relationships",
    "Financial Planning for Medical Students & Residents",
    "Test Taking Tips & Tricks",
    "Contracts & Negotiations",
    "Maintaining Mental Health",
}


def _module(slug: str) -> Module:
    return Module.objects.select_related("current_version").get(slug=slug)


def _new_version(staff, slug: str, *, body_suffix: str = "\n\nUpdated guidance.") -> None:
    module = _module(slug)
    draft = services.draft_for(acting=Actor.for_user(staff), module=module)
    services.draft_update(acting=Actor.for_user(staff), version=draft, body=draft.body + body_suffix)
    services.module_publish(acting=Actor.for_user(staff), module=module)


@pytest.fixture
def profiled(cast):
    """The cast's mentee and mentor with complete profiles: training is the only gate step left."""
    from mentormemed.profiles.testing import complete_mentee_profile, complete_mentor_profile

    complete_mentee_profile(cast.mentee)
    complete_mentor_profile(cast.mentor, trained=False)
    return cast


def test_r21_every_deployment_starts_with_the_seeded_library():
    modules = Module.objects.select_related("current_version")
    assert modules.count() == 10
    assert {m.title for m in modules if m.audience == "mentee"} == MENTEE_TITLES
    for module in modules:
        version = module.current_version
        assert module.status == "published" and version.version == 1
        assert len(version.body) > 2000, f"{module.slug} has real content"
        assert version.questions.count() == 4
    assert _module("effective-mentor").current_version.cme_max_credits == 1


def test_r21_seed_migration_is_idempotent_by_slug(cast):
    seed = importlib.import_module("mentormemed.training.migrations.0002_seed_library").seed
    module = _module("test-taking")
    services.module_update(acting=Actor.for_user(cast.staff), module=module, title="Test Taking, Revised")
    seed(django_apps, None)
    assert Module.objects.count() == 10
    assert _module("test-taking").title == "Test Taking, Revised"  # staff edits survive


def test_r21_publishing_a_changed_module_creates_a_new_version(cast):
    module = _module("contracts-and-negotiations")
    draft = services.draft_for(acting=Actor.for_user(cast.staff), module=module)
    assert draft.version == 2 and draft.questions.count() == 4  # the draft starts as a copy
    with pytest.raises(ValidationError, match="Nothing has changed since version 1"):
        services.module_publish(acting=Actor.for_user(cast.staff), module=module)
    services.draft_update(acting=Actor.for_user(cast.staff), version=draft, body=draft.body + "\n\nA new section.")
    published = services.module_publish(acting=Actor.for_user(cast.staff), module=module)
    module.refresh_from_db()
    assert published.version == 2 and module.current_version == published
    assert module.versions.filter(published_at__isnull=False).count() == 2
    with pytest.raises(ValidationError, match="Published versions cannot change"):
        services.draft_update(acting=Actor.for_user(cast.staff), version=published, body="rewrite history")
    assert AuditEntry.objects.filter(action="training.module_publish", object_id=str(module.pk)).exists()


def test_r21_a_credit_bearing_module_cannot_be_published_without_an_assessment(cast):
    module = _module("mentoring-across-difference")
    draft = services.draft_for(acting=Actor.for_user(cast.staff), module=module)
    for question in draft.questions.all():
        services.question_delete(acting=Actor.for_user(cast.staff), question=question)
    with pytest.raises(ValidationError, match="needs a knowledge check"):
        services.module_publish(acting=Actor.for_user(cast.staff), module=module)


def test_r7_mentee_gate_lists_training_until_every_required_module_is_attested(cast):
    mentee = cast.mentee
    assert "training" in [s.key for s in missing_steps(mentee)]
    state = {s.key: st for s, st in checklist(mentee)}["training"]
    assert "How to Get the Most from Your Mentorship Relationships" in state.detail
    assert [m.slug for m in missing_required_modules(membership=mentee)] == ["getting-the-most-from-mentorship"]
    complete_module(mentee, "getting-the-most-from-mentorship")
    assert "training" not in [s.key for s in missing_steps(mentee)]


def test_r7_mentor_gate_needs_both_required_mentor_modules(cast, profiled):
    mentor = cast.mentor
    assert {m.slug for m in missing_required_modules(membership=mentor)} == {
        "effective-mentor",
        "mentoring-across-difference",
    }
    complete_module(mentor, "effective-mentor")
    assert "training" in [s.key for s in missing_steps(mentor)]
    assert [m.slug for m in missing_required_modules(membership=mentor)] == ["mentoring-across-difference"]
    complete_module(mentor, "mentoring-across-difference")
    assert missing_steps(mentor) == []  # cast members are otherwise onboarded


def test_r7_new_version_of_a_required_module_requires_attesting_again(cast, profiled):
    complete_required(cast.mentee)
    assert missing_steps(cast.mentee) == []
    _new_version(cast.staff, "getting-the-most-from-mentorship")
    assert [m.slug for m in missing_required_modules(membership=cast.mentee)] == ["getting-the-most-from-mentorship"]
    row = next(r for r in library(membership=cast.mentee) if r.module.slug == "getting-the-most-from-mentorship")
    assert row.state == "update" and row.earlier_completion.version.version == 1
    completion = complete_module(cast.mentee, "getting-the-most-from-mentorship")
    assert completion.version.version == 2
    assert missing_steps(cast.mentee) == []


def test_r7_new_version_of_an_optional_module_does_not_reopen_the_gate(cast, profiled):
    complete_required(cast.mentee)
    complete_module(cast.mentee, "financial-planning")
    _new_version(cast.staff, "financial-planning")
    assert missing_steps(cast.mentee) == []


def test_r7_required_is_a_setting_staff_change_in_the_product(cast, profiled):
    complete_required(cast.mentee)
    client = cast.client_for(cast.staff)
    module = _module("maintaining-mental-health")
    response = client.post(reverse("training:staff_module_required", args=[module.pk]), {"required": "1"})
    assert response.status_code == 302
    assert [m.slug for m in missing_required_modules(membership=cast.mentee)] == ["maintaining-mental-health"]
    client.post(reverse("training:staff_module_required", args=[module.pk]), {"required": "0"})
    assert missing_steps(cast.mentee) == []


def test_r21_knowledge_check_fails_below_the_pass_mark_with_per_question_feedback(cast):
    module = _module("effective-mentor")
    answers = correct_answers(module)
    wrong = dict(answers)
    q1, q2 = list(answers)[:2]
    for q in (q1, q2):  # 2 of 4 right = 50% < 80%
        wrong[q] = next(c.pk for c in module.current_version.questions.get(pk=q).choices.all() if not c.correct)
    result = services.check_submit(acting=Actor.for_membership(cast.mentor), module=module, answers=wrong)
    assert result.attempt.score == 50 and not result.attempt.passed
    assert [f.is_correct for f in result.feedback] == [False, False, True, True]
    assert all(f.question.explanation for f in result.feedback)
    with pytest.raises(ValidationError, match="Pass the knowledge check"):
        services.module_attest(acting=Actor.for_membership(cast.mentor), module=module)
    # Retake: all correct passes, and attestation records version, score and time.
    with time_machine.travel("2026-03-02 15:30:00+00:00", tick=False):
        retake = services.check_submit(acting=Actor.for_membership(cast.mentor), module=module, answers=answers)
        completion = services.module_attest(acting=Actor.for_membership(cast.mentor), module=module)
    assert retake.attempt.passed and CheckAttempt.objects.filter(membership=cast.mentor).count() == 2
    assert (completion.version, completion.score) == (module.current_version, 100)
    assert completion.attested_at.isoformat() == "2026-03-02T15:30:00+00:00"
    assert services.module_attest(acting=Actor.for_membership(cast.mentor), module=module) == completion  # idempotent


def test_r21_knowledge_check_and_attestation_through_the_pages(cast):
    module = _module("getting-the-most-from-mentorship")
    client = cast.client_for(cast.mentee)
    answers = {f"q{q}": c for q, c in correct_answers(module).items()}
    first_q = next(iter(answers))
    page = client.post(reverse("training:check", args=[module.slug]), {first_q: answers[first_q]})
    assert b"You scored 25%" in page.content and b"You answered 1 of 4 questions correctly" in page.content
    assert b"Not answered" not in page.content and b"correct answer:" not in page.content
    page = client.post(reverse("training:check", args=[module.slug]), answers)
    assert b"You passed with 100%" in page.content
    assert "I attest that I completed" in page.content.decode()
    client.post(reverse("training:attest", args=[module.slug]), {"confirm": "on"})
    assert Completion.objects.filter(membership=cast.mentee, version=module.current_version).exists()


def test_r21_a_failed_check_never_reveals_the_correct_answers(cast):
    """A retake must not become trivial: after a fail, no answer is marked right or wrong and no
    explanation (which names the answer) is shown; after a pass, all of it is."""
    module = _module("getting-the-most-from-mentorship")
    questions = list(module.current_version.questions.prefetch_related("choices"))
    wrong = {f"q{q.pk}": next(c.pk for c in q.choices.all() if not c.correct) for q in questions}
    client = cast.client_for(cast.mentee)
    html = client.post(reverse("training:check", args=[module.slug]), wrong).content.decode()
    assert "You scored 0%" in html
    assert "Correct:" not in html and "Not correct:" not in html and "correct answer:" not in html
    for q in questions:
        if q.explanation:
            assert q.explanation not in html
    html = client.post(
        reverse("training:check", args=[module.slug]), {f"q{q}": c for q, c in correct_answers(module).items()}
    ).content.decode()
    assert "You passed with 100%" in html and "Correct:" in html
    assert any(q.explanation and q.explanation in html for q in questions)


def test_r21_learners_see_only_their_audience(cast):
    client = cast.client_for(cast.mentee)
    assert client.get(reverse("training:module", args=["effective-mentor"])).status_code == 404
    page = client.get(reverse("training:modules")).content.decode()
    assert "Test Taking Tips &amp; Tricks" in page and "How to Be an Effective Mentor" not in page


def test_r21_markdown_is_rendered_safely():
    html = render_markdown("# Title\n\n<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html and "<img" not in html
    assert "<h2>Title</h2>" in html


def test_r21_resources_are_type_and_size_checked(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = services.draft_for(acting=Actor.for_user(cast.staff), module=_module("test-taking"))
    with pytest.raises(ValidationError, match="file type is not accepted"):
        services.resource_add(
            acting=Actor.for_user(cast.staff), version=draft, title="x", name="run.exe", data=b"MZ..."
        )
    with pytest.raises(ValidationError, match="does not look like a PDF"):
        services.resource_add(
            acting=Actor.for_user(cast.staff), version=draft, title="x", name="fake.pdf", data=b"<html>"
        )
    settings.TRAINING_MAX_RESOURCE_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        services.resource_add(
            acting=Actor.for_user(cast.staff),
            version=draft,
            title="x",
            name="big.pdf",
            data=b"%PDF-" + b"0" * 1024 * 1024,
        )
    ok = services.resource_add(
        acting=Actor.for_user(cast.staff), version=draft, title="Checklist", name="list.pdf", data=b"%PDF-1.7"
    )
    assert ok.content_type == "application/pdf" and ok.size == 8


def test_r21_staff_author_a_module_in_the_product(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = cast.client_for(cast.staff)
    response = client.post(
        reverse("training:staff_module_new"),
        {"title": "Writing Letters of Recommendation", "slug": "letters", "audience": "mentor", "minutes": "20"},
    )
    module = Module.objects.get(slug="letters")
    assert response.status_code == 302 and module.status == "draft"
    edit = reverse("training:staff_module", args=[module.pk])
    client.post(
        edit,
        {
            "save_draft": "1",
            "d-body": "## Why letters matter\n\nSpecific, honest letters.",
            "d-passing_score": "75",
            "d-cme_max_credits": "0.25",
            "d-is_enduring_material": "on",
        },
    )
    client.post(
        reverse("training:staff_question_new", args=[module.pk]),
        {"text": "What makes a strong letter?", "choice_0": "Specific examples", "choice_1": "Length", "correct": "0"},
    )
    client.post(reverse("training:staff_module_publish", args=[module.pk]))
    module.refresh_from_db()
    assert module.status == "published" and module.current_version.version == 1
    assert module.current_version.cme_max_credits == 0.25 and module.current_version.questions.count() == 1
    assert (
        "Writing Letters of Recommendation"
        in cast.client_for(cast.mentor).get(reverse("training:modules")).content.decode()
    )


def test_r21_library_page_query_count_is_bounded(cast, django_assert_max_num_queries):
    for slug in ("effective-mentor", "mentoring-across-difference", "mentorship-to-sponsorship"):
        complete_module(cast.mentor, slug)
    client = cast.client_for(cast.mentor)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("training:modules"))
    assert response.status_code == 200 and response.content.decode().count("Completed") >= 3


def test_r21_staff_module_list_query_count_is_bounded(cast, django_assert_max_num_queries):
    client = cast.client_for(cast.staff)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("training:staff_modules"))
    assert response.content.decode().count("Make ") == 10


def test_r7_member_list_prepares_training_state_in_bulk(cast, django_assert_max_num_queries):
    from mentormemed.testing.factories import MembershipFactory, UserFactory, onboard
    from mentormemed.training.onboarding import prepare_training, training_state

    people = [onboard(MembershipFactory(institution=cast.inst_a, role="mentor", user=UserFactory())) for _ in range(6)]
    complete_required(people[0])
    with django_assert_max_num_queries(2):
        prepare_training(people)
        states = [training_state(p) for p in people]
    assert [s.done for s in states] == [True, False, False, False, False, False]
    assert "Mentoring Across Difference" in states[1].detail


def test_r22_staff_cannot_set_a_maximum_outside_quarter_steps(cast):
    module = _module("mentorship-to-sponsorship")
    draft = services.draft_for(acting=Actor.for_user(cast.staff), module=module)
    with pytest.raises(ValidationError, match="steps of 0.25"):
        services.draft_update(acting=Actor.for_user(cast.staff), version=draft, cme_max_credits="0.30")
    response = cast.client_for(cast.staff).post(
        reverse("training:staff_module", args=[module.pk]),
        {"save_draft": "1", "d-body": draft.body, "d-passing_score": "80", "d-cme_max_credits": "0.30"},
    )
    assert response.status_code == 200 and "steps of 0.25" in response.content.decode()
    draft.refresh_from_db()
    assert str(draft.cme_max_credits) == "0.75"
