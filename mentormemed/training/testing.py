"""Test helpers for training: pass a check, attest, claim — through the real services."""

from __future__ import annotations

from decimal import Decimal

from mentormemed.core.access import Actor
from mentormemed.training import services
from mentormemed.training.models import ActivityEvaluation, CmeClaim, Completion, Module
from mentormemed.training.selectors import missing_required_modules


def correct_answers(module: Module) -> dict[int, int]:
    return {
        q.pk: next(c.pk for c in q.choices.all() if c.correct)
        for q in module.current_version.questions.prefetch_related("choices")
    }


def complete_module(membership, slug: str) -> Completion:
    """Pass the current version's knowledge check (all correct) and attest it."""
    module = Module.objects.select_related("current_version").get(slug=slug)
    if module.current_version.questions.exists():
        services.check_submit(acting=Actor.for_membership(membership), module=module, answers=correct_answers(module))
    return services.module_attest(acting=Actor.for_membership(membership), module=module)


def complete_required(membership) -> list[Completion]:
    return [complete_module(membership, m.slug) for m in missing_required_modules(membership=membership)]


def evaluate(membership, completion: Completion):
    """The activity evaluation required before a claim (kept if already given)."""
    existing = ActivityEvaluation.objects.filter(completion=completion).first()
    return existing or services.activity_evaluate(
        acting=Actor.for_membership(membership),
        completion=completion,
        objectives_met=5,
        relevance=4,
        free_of_bias=True,
        practice_change="will_change",
        change_text="Ask about goals at the first meeting.",
    )


def make_claim(membership, slug: str = "effective-mentor", credits: str = "1.00", **extra) -> CmeClaim:
    completion = Completion.objects.filter(membership=membership, version__module__slug=slug).first()
    completion = completion or complete_module(membership, slug)
    evaluate(membership, completion)
    return services.cme_claim(
        acting=Actor.for_membership(membership),
        completion=completion,
        credits=Decimal(credits),
        attested_participation=True,
        **extra,
    )


SHARED_SLUG = "matrix-shared-module"


def shared_module(actor=None) -> Module:
    """A published module for mentors *and* mentees, with one question and one resource."""
    existing = Module.objects.filter(slug=SHARED_SLUG).select_related("current_version").first()
    if existing:
        return existing
    module = services.module_create(
        acting=Actor.for_user(actor),
        slug=SHARED_SLUG,
        title="Shared module",
        audience="both",
        required=False,
        minutes=5,
    )
    draft = services.draft_of(module)
    services.draft_update(acting=Actor.for_user(actor), version=draft, body="## Hello\n\nText.", cme_max_credits="0.50")
    services.question_save(
        acting=Actor.for_user(actor),
        version=draft,
        text="Pick yes.",
        explanation="",
        choices=[("Yes", True), ("No", False)],
    )
    services.resource_add(
        acting=Actor.for_user(actor), version=draft, title="Notes", name="notes.txt", data=b"Notes for learners.\n"
    )
    services.module_publish(acting=Actor.for_user(actor), module=module)
    return Module.objects.select_related("current_version").get(pk=module.pk)


def matrix_claim_number(cast) -> str:
    """cast.mentor's claim (institution A) for the permission matrix."""
    claim = CmeClaim.objects.filter(membership=cast.mentor).first()
    return (claim or make_claim(cast.mentor)).certificate_number


def matrix_claim_slug(cast) -> str:
    """A credit-bearing module cast.mentor has completed but not claimed, so the claim form shows."""
    module = shared_module()
    if not Completion.objects.filter(membership=cast.mentor, version=module.current_version).exists():
        complete_module(cast.mentor, module.slug)
    return module.slug


def matrix_question(cast) -> dict:
    module = Module.objects.get(slug="effective-mentor")
    draft = services.draft_for(acting=Actor.for_user(cast.staff), module=module)
    return {"pk": module.pk, "qpk": draft.questions.first().pk}


def matrix_resource(cast) -> dict:
    module = Module.objects.get(slug="effective-mentor")
    draft = services.draft_for(acting=Actor.for_user(cast.staff), module=module)
    resource = draft.resources.first() or services.resource_add(
        acting=Actor.for_user(cast.staff), version=draft, title="Slides", name="slides.txt", data=b"Slides.\n"
    )
    return {"pk": module.pk, "rpk": resource.pk}
