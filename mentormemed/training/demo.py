"""Demo: people at every training stage, a re-versioned optional module, and ~90 CME claims.

The pilot's 100 mentors claimed CME 90 times; the demo reproduces that figure.
Completions and claims are bulk-created (the services' rules are respected by
construction: passing attempt, current version, 0.25 steps ≤ maximum) so the
demo builds in seconds; certificate numbers come from the seeded RNG so every
build is identical.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.clock import platform_today
from mentormemed.core.demo import DemoContext
from mentormemed.training import services
from mentormemed.training.models import ActivityEvaluation, CheckAttempt, CmeClaim, Completion, Module, ModuleVersion

PILOT_CME_CLAIMS = 90
# none: nothing yet; some: started or part of the required set; all: every required module attested.
STAGE_WEIGHTS = {"all": 78, "some": 12, "none": 10}
REVISED_OPTIONAL = "test-taking"  # gets a version 2, so some mentees see "New version available"


LIBRARY_PUBLISHED_DAYS_AGO = 430  # before anyone's first attestation (at most 400 days back)


def build(ctx: DemoContext) -> None:
    # The library was published before the program's first learners attested anything.
    ModuleVersion.objects.filter(published_at__isnull=False).update(
        published_at=timezone.now() - dt.timedelta(days=LIBRARY_PUBLISHED_DAYS_AGO)
    )
    modules = {m.slug: m for m in Module.objects.select_related("current_version").prefetch_related("versions")}
    v1_of_revised = modules[REVISED_OPTIONAL].current_version
    now = timezone.now()
    attempts, completions = [], []
    for membership in ctx.mentors + ctx.mentees:
        stage = "all" if membership in ctx.featured.values() else _stage(ctx)
        _plan(ctx, membership, stage, modules, now, attempts, completions)
    CheckAttempt.objects.bulk_create(attempts)
    Completion.objects.bulk_create(completions)
    _revise_optional_module(ctx, modules[REVISED_OPTIONAL], v1_of_revised)
    _claims(ctx, now)
    _translate(ctx, modules[TRANSLATED])


TRANSLATED = "getting-the-most-from-mentorship"  # a required mentee module; the others stay English only
SPANISH = Path(__file__).resolve().parent / "content" / "es"


def _translate(ctx, module) -> None:
    """Staff's Spanish translation of one module's current version (issue 19): the Spanish-speaking
    mentee reads it in Spanish, and every other module in English with a notice saying so."""
    strings = json.loads((SPANISH / f"{module.slug}.json").read_text(encoding="utf-8"))
    version = module.current_version
    questions = {}
    for question, given in zip(version.questions.prefetch_related("choices"), strings["questions"], strict=True):
        questions[str(question.pk)] = {
            "text": given["text"],
            "explanation": given["explanation"],
            "choices": {str(c.pk): t for c, t in zip(question.choices.all(), given["choices"], strict=True)},
        }
    services.module_translation_save(
        acting=Actor.for_user(ctx.staff),
        version=version,
        language="es",
        title=strings["title"],
        summary=strings["summary"],
        body=(SPANISH / f"{module.slug}.md").read_text(encoding="utf-8"),
        questions=questions,
    )


def _stage(ctx) -> str:
    return ctx.rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]


def _plan(ctx, membership, stage, modules, now, attempts, completions) -> None:
    """Decide which of the person's modules are attested, and add the attempts behind them."""
    own = [m for m in modules.values() if m.for_role(membership.role) and m.current_version]
    required = [m for m in own if m.required]
    optional = [m for m in own if not m.required]
    if stage == "none":
        return
    if stage == "all":
        done = required + ctx.rng.sample(optional, k=ctx.rng.randint(0, len(optional)))
        if membership == ctx.featured.get("mentor"):
            done = required  # leaves optional credit-bearing modules to try in the demo
    else:  # some: part of the required set, or only optional modules
        done = ctx.rng.sample(required, k=len(required) - 1) + ctx.rng.sample(optional, k=ctx.rng.randint(0, 2))
        if ctx.rng.random() < 0.5:  # a failed try at a missing required module shows "In progress"
            missing = next(m for m in required if m not in done)
            attempts.append(_attempt(membership, missing, now - dt.timedelta(days=2), score=75))
    start = max(membership.created_at, now - dt.timedelta(days=400)) + dt.timedelta(days=1)
    span = max((now - start).total_seconds() - 3600, 3600)
    for module in done:
        when = start + dt.timedelta(seconds=ctx.rng.uniform(0, span))
        if ctx.rng.random() < 0.25:  # a retake: retakes are allowed and every try is kept
            attempts.append(_attempt(membership, module, when - dt.timedelta(minutes=20), score=75))
        attempts.append(_attempt(membership, module, when - dt.timedelta(minutes=5), score=100))
        completions.append(
            Completion(membership=membership, version=module.current_version, score=100, passed=True, attested_at=when)
        )


def _attempt(membership, module, when, *, score: int) -> CheckAttempt:
    version = module.current_version
    return CheckAttempt(
        membership=membership,
        version=version,
        score=score,
        passed=score >= version.passing_score,
        answers={},
        submitted_at=when,
    )


def _revise_optional_module(ctx, module, v1) -> None:
    """Staff publish version 2 of an optional module; earlier readers keep their v1 attestation."""
    draft = services.draft_for(acting=Actor.for_user(ctx.staff), module=module)
    services.draft_update(
        acting=Actor.for_user(ctx.staff),
        version=draft,
        body=v1.body + "\n\n## Update\n\nPractice questions now come with a short review plan for each missed topic.",
    )
    services.module_publish(acting=Actor.for_user(ctx.staff), module=module)


def _claims(ctx, now) -> None:
    """~90 claims across the mentors' credit-bearing completions (the pilot's figure)."""
    pool = list(
        Completion.objects.filter(membership__role="mentor", version__cme_max_credits__gt=0)
        .select_related("version", "membership__institution__state", "membership")
        .order_by("membership_id", "version_id")
    )
    featured = ctx.featured.get("mentor")
    # The featured mentor has claimed "How to Be an Effective Mentor" and has one more ready to claim.
    chosen = [c for c in pool if c.membership == featured and c.version.module.slug == "effective-mentor"]
    others = [c for c in pool if c.membership != featured]
    chosen += ctx.rng.sample(others, k=min(PILOT_CME_CLAIMS - len(chosen), len(others)))
    claims, numbers = [], set()
    for completion in chosen:
        claims.append(_claim(ctx, completion, now, numbers))
    ActivityEvaluation.objects.bulk_create(_evaluation(ctx, claim) for claim in claims)
    CmeClaim.objects.bulk_create(claims)


CHANGES = [
    "Agree expectations and a meeting rhythm in the first conversation.",
    "Ask my mentees what they need before offering advice.",
    "Name the extra load URiM colleagues carry and protect their time.",
    "Introduce mentees to sponsors, not only give feedback.",
    "Check in about wellbeing at every meeting, not only at the end.",
    "",
]


def _evaluation(ctx, claim: CmeClaim) -> ActivityEvaluation:
    """Each claim was preceded by the activity evaluation (answers vary as real ones do)."""
    change = ctx.rng.choices(["will_change", "already", "no_change"], weights=[6, 3, 1])[0]
    return ActivityEvaluation(
        membership=claim.membership,
        version=claim.version,
        completion=claim.completion,
        objectives_met=ctx.rng.choices([5, 4, 3, 2], weights=[5, 4, 1, 0.3])[0],
        relevance=ctx.rng.choices([5, 4, 3, 2], weights=[4, 4, 2, 0.5])[0],
        free_of_bias=ctx.rng.random() < 0.97,
        practice_change=change,
        change_text=ctx.rng.choice(CHANGES) if change == "will_change" else "",
        submitted_at=claim.claimed_at - dt.timedelta(minutes=ctx.rng.randint(1, 5)),
    )


def _claim(ctx, completion, now, numbers) -> CmeClaim:
    maximum = completion.version.cme_max_credits
    credits = maximum if ctx.rng.random() < 0.8 else max(Decimal("0.25"), maximum - Decimal("0.25"))
    claimed_at = min(completion.attested_at + dt.timedelta(minutes=ctx.rng.randint(2, 60 * 24 * 10)), now)
    number = services.new_certificate_number(year=claimed_at.year, rng=ctx.rng)
    while number in numbers:
        number = services.new_certificate_number(year=claimed_at.year, rng=ctx.rng)
    numbers.add(number)
    identifiers = {}
    if ctx.rng.random() < 0.7:  # most give identifiers so credit reaches their board through PARS
        identifiers = {
            "npi": _npi(ctx),
            "board_id": f"B{ctx.rng.randint(100000, 999999)}" if ctx.rng.random() < 0.5 else "",
            "birth_month": (month := ctx.rng.randint(1, 12)),
            "birth_day": ctx.rng.randint(1, 28 if month == 2 else 30),
        }
        state = completion.membership.institution.state
        if state is not None and ctx.rng.random() < 0.5:
            identifiers.update(licence_state=state.code[:2], licence_number=f"036-{ctx.rng.randint(100000, 999999)}")
    return CmeClaim(
        membership=completion.membership,
        version=completion.version,
        completion=completion,
        credits=credits,
        attested_participation=True,
        completed_on=platform_today(completion.attested_at),
        claimed_at=claimed_at,
        certificate_number=number,
        **identifiers,
    )


def _npi(ctx) -> str:
    """A syntactically valid (check-digit correct) but made-up NPI."""
    body = "1" + "".join(str(ctx.rng.randint(0, 9)) for _ in range(8))
    return next(body + str(d) for d in range(10) if services.npi_is_valid(body + str(d)))
