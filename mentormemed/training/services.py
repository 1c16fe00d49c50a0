"""Every write about training: authoring and publishing modules, checks, attestations, CME claims.

Contracts: keyword-only, atomic, ``ValidationError`` with a sentence a person
can act on; staff writes are audited in the same transaction (R26).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.clock import platform_today
from mentormemed.core.translations import require_translation_language, save_version_translation
from mentormemed.core.types import JSONDict
from mentormemed.training import conf
from mentormemed.training.models import (
    QUARTER,
    ActivityEvaluation,
    CheckAttempt,
    Choice,
    CmeClaim,
    Completion,
    Module,
    ModuleStatus,
    ModuleVersion,
    ModuleVersionTranslation,
    Question,
    Resource,
)

if TYPE_CHECKING:
    import random

    from mentormemed.institutions.models import Membership

# ---------------------------------------------------------------- authoring (staff)

MODULE_FIELDS = ("title", "audience", "required", "minutes", "summary")
VERSION_FIELDS = ("body", "video_url", "passing_score", "cme_max_credits", "is_enduring_material")


@transaction.atomic
def module_create(
    *, acting: Actor, slug: str, title: str, audience: str, required: bool, minutes: int, summary: str = ""
) -> Module:
    """A new module in draft, with an empty draft version 1 to write into."""
    if Module.objects.filter(slug=slug).exists():
        raise ValidationError(
            gettext("A module with the address “%(slug)s” already exists; choose another.") % {"slug": slug}
        )
    module = Module.objects.create(
        slug=slug,
        title=title.strip(),
        audience=audience,
        required=required,
        minutes=minutes,
        summary=summary.strip(),
        position=(Module.objects.aggregate(m=Max("position"))["m"] or 0) + 1,
    )
    ModuleVersion.objects.create(module=module, version=1)
    audit(acting=acting, action="training.module_create", obj=module, detail={"slug": slug})
    return module


@transaction.atomic
def module_update(*, acting: Actor, module: Module, **fields: Any) -> Module:  # MODULE_FIELDS, each its type
    """Title, audience, required flag, minutes and summary take effect at once (they are not versioned)."""
    unknown = set(fields) - set(MODULE_FIELDS)
    if unknown:
        raise ValueError(f"Not module fields: {sorted(unknown)}")
    changed = {k: v for k, v in fields.items() if getattr(module, k) != v}
    for key, value in changed.items():
        setattr(module, key, value)
    if changed:
        module.save()
        audit(acting=acting, action="training.module_update", obj=module, detail={"changed": sorted(changed)})
    return module


@transaction.atomic
def module_set_required(*, acting: Actor, module: Module, required: bool) -> Module:
    """Which modules are required is a setting staff change in the product (R7, R21)."""
    if module.required != required:
        module.required = required
        module.save(update_fields=["required", "updated_at"])
        audit(acting=acting, action="training.module_required", obj=module, detail={"required": required})
    return module


def draft_of(module: Module) -> ModuleVersion | None:
    return module.versions.filter(published_at__isnull=True).first()


@transaction.atomic
def draft_for(*, acting: Actor, module: Module) -> ModuleVersion:
    """The module's draft version, created as a copy of the current version if there is none."""
    module = Module.objects.select_for_update().get(pk=module.pk)
    draft = draft_of(module)
    if draft:
        return draft
    number = (module.versions.aggregate(m=Max("version"))["m"] or 0) + 1
    source = module.current_version
    draft = ModuleVersion.objects.create(
        module=module,
        version=number,
        **({f: getattr(source, f) for f in VERSION_FIELDS} if source else {}),
    )
    if source:
        _copy_content(source, draft)
    audit(acting=acting, action="training.draft_start", obj=module, detail={"version": number})
    return draft


def _copy_content(source: ModuleVersion, target: ModuleVersion) -> None:
    for question in source.questions.prefetch_related("choices"):
        copy = Question.objects.create(
            version=target, position=question.position, text=question.text, explanation=question.explanation
        )
        Choice.objects.bulk_create(
            Choice(question=copy, position=c.position, text=c.text, correct=c.correct) for c in question.choices.all()
        )
    for resource in source.resources.all():
        # The stored file is shared: published versions never change, so nothing can overwrite it.
        Resource.objects.create(
            version=target,
            title=resource.title,
            file=resource.file.name,
            content_type=resource.content_type,
            size=resource.size,
            uploaded_by=resource.uploaded_by,
        )


def _require_draft(version: ModuleVersion) -> None:
    if not version.is_draft:
        raise ValidationError(gettext("Published versions cannot change; edit the draft instead."))


def parse_credits(value: object) -> Decimal:
    """Parse credits and enforce the 0.25 step (AMA PRA Category 1 Credit™ increments)."""
    try:
        credits = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(gettext("Enter credits as a number such as 0.75 or 1.00.")) from exc
    if not credits.is_finite() or credits < 0:
        raise ValidationError(gettext("Credits cannot be negative."))
    if credits % QUARTER != 0:
        raise ValidationError(gettext("Credits go in steps of 0.25 (for example 0.25, 0.50, 0.75, 1.00)."))
    return credits.quantize(Decimal("0.01"))


@transaction.atomic
def draft_update(*, acting: Actor, version: ModuleVersion, **fields: Any) -> ModuleVersion:  # VERSION_FIELDS
    _require_draft(version)
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise ValueError(f"Not version fields: {sorted(unknown)}")
    if "cme_max_credits" in fields:
        fields["cme_max_credits"] = parse_credits(fields["cme_max_credits"])
    if not 0 <= int(fields.get("passing_score", version.passing_score)) <= 100:
        raise ValidationError(gettext("The passing score is a percentage between 0 and 100."))
    if fields.get("video_url", "").startswith("http://"):
        raise ValidationError(gettext("Use an https:// link for the video."))
    for key, value in fields.items():
        setattr(version, key, value)
    version.save()
    audit(acting=acting, action="training.draft_update", obj=version.module, detail={"version": version.version})
    return version


@transaction.atomic
def question_save(
    *,
    acting: Actor,
    version: ModuleVersion,
    text: str,
    explanation: str,
    choices: list[tuple[str, bool]],
    question: Question | None = None,
) -> Question:
    """Create or replace one multiple-choice question of a draft: 2+ choices, exactly one correct."""
    _require_draft(version)
    choices = [(t.strip(), bool(c)) for t, c in choices if t and t.strip()]
    if not text.strip():
        raise ValidationError(gettext("Write the question."))
    if len(choices) < 2:
        raise ValidationError(gettext("Give at least two answer choices."))
    if sum(correct for _, correct in choices) != 1:
        raise ValidationError(gettext("Mark exactly one choice as the correct answer."))
    if question is None:
        position = (version.questions.aggregate(m=Max("position"))["m"] or 0) + 1
        question = Question.objects.create(
            version=version, position=position, text=text.strip(), explanation=explanation.strip()
        )
    else:
        if question.version_id != version.pk:
            raise ValidationError(gettext("That question belongs to another version."))
        question.text, question.explanation = text.strip(), explanation.strip()
        question.save()
        question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, position=i, text=t, correct=c) for i, (t, c) in enumerate(choices)
    )
    audit(acting=acting, action="training.question_save", obj=version.module, detail={"version": version.version})
    return question


@transaction.atomic
def question_delete(*, acting: Actor, question: Question) -> None:
    _require_draft(question.version)
    module = question.version.module
    question.delete()
    audit(acting=acting, action="training.question_delete", obj=module)


# Allowed resource types: extension → (content type, leading bytes or None for text).
RESOURCE_TYPES: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", b"PK\x03\x04"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
}


def check_resource(*, name: str, data: bytes) -> str:
    """Return the content type of an acceptable upload, judged by extension *and* content; else refuse."""
    ext = PurePath(name).suffix.lower()
    if ext not in RESOURCE_TYPES:
        allowed = ", ".join(sorted(e.lstrip(".").upper() for e in RESOURCE_TYPES))
        raise ValidationError(
            gettext("That file type is not accepted. Upload one of: %(allowed)s.") % {"allowed": allowed}
        )
    limit = conf.max_resource_bytes()
    if len(data) > limit:
        raise ValidationError(
            gettext("The file is larger than %(limit)s MB; upload a smaller one.") % {"limit": limit // (1024 * 1024)}
        )
    if not data:
        raise ValidationError(gettext("The file is empty."))
    content_type, magic = RESOURCE_TYPES[ext]
    if magic is not None and not data.startswith(magic):
        raise ValidationError(
            gettext("The file does not look like a %(lstrip)s file.") % {"lstrip": ext.lstrip(".").upper()}
        )
    if magic is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(gettext("Text files must be UTF-8 encoded.")) from exc
    return content_type


@transaction.atomic
def resource_add(*, acting: Actor, version: ModuleVersion, title: str, name: str, data: bytes) -> Resource:
    actor = acting.person
    _require_draft(version)
    content_type = check_resource(name=name, data=data)
    safe_name = PurePath(name).name.replace(" ", "-")[-100:]
    resource = Resource(
        version=version,
        title=title.strip() or safe_name,
        content_type=content_type,
        size=len(data),
        uploaded_by=actor,
    )
    resource.file.save(safe_name, ContentFile(data), save=False)
    resource.save()
    audit(acting=acting, action="training.resource_add", obj=version.module, detail={"title": resource.title})
    return resource


@transaction.atomic
def resource_delete(*, acting: Actor, resource: Resource) -> None:
    _require_draft(resource.version)
    module = resource.version.module
    resource.delete()  # the stored file may be shared with published versions, so it stays
    audit(acting=acting, action="training.resource_delete", obj=module)


@transaction.atomic
def draft_discard(*, acting: Actor, module: Module) -> None:
    draft = draft_of(module)
    if draft is None:
        raise ValidationError(gettext("There is no draft to discard."))
    if module.current_version is None:
        raise ValidationError(gettext("This module has never been published; its draft is all there is."))
    draft.delete()
    audit(acting=acting, action="training.draft_discard", obj=module)


def content_fingerprint(version: ModuleVersion) -> str:
    """A hash of everything a learner sees in a version, to tell a changed draft from a copy."""
    data = {
        **{f: str(getattr(version, f)) for f in VERSION_FIELDS},
        "questions": [
            [q.text, q.explanation, [[c.text, c.correct] for c in q.choices.all()]]
            for q in version.questions.prefetch_related("choices")
        ],
        "resources": sorted([r.title, r.file.name] for r in version.resources.all()),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def publish_problems(version: ModuleVersion) -> list[str]:
    """What stops a draft from being published (empty list: ready)."""
    problems = []
    if not version.body.strip():
        problems.append("Write the module's content.")
    questions = list(version.questions.prefetch_related("choices"))
    if version.carries_cme and not questions:
        problems.append("A module that carries CME credit needs a knowledge check (an assessment with a pass mark).")
    for n, q in enumerate(questions, start=1):
        choices = list(q.choices.all())
        if len(choices) < 2 or sum(c.correct for c in choices) != 1:
            problems.append(f"Question {n} needs at least two choices and exactly one correct answer.")
    return problems


@transaction.atomic
def module_publish(*, acting: Actor, module: Module) -> ModuleVersion:
    """Publish the draft as the module's new current version (R21).

    A new version of a required module re-opens the training gate for everyone
    in its audience until they attest the new version (R7).
    """
    actor = acting.person
    module = Module.objects.select_for_update().get(pk=module.pk)
    draft = draft_of(module)
    if draft is None:
        raise ValidationError(gettext("There is no draft to publish; edit the module first."))
    problems = publish_problems(draft)
    if problems:
        raise ValidationError(problems)
    current = module.current_version
    if current and content_fingerprint(draft) == content_fingerprint(current):
        raise ValidationError(
            gettext("Nothing has changed since version %(version)s; edit the draft before publishing.")
            % {"version": current.version}
        )
    draft.published_at = timezone.now()
    draft.published_by = actor
    draft.save(update_fields=["published_at", "published_by"])
    module.current_version = draft
    module.status = ModuleStatus.PUBLISHED
    module.save(update_fields=["current_version", "status", "updated_at"])
    audit(
        acting=acting,
        action="training.module_publish",
        obj=module,
        detail={"version": draft.version, "required": module.required},
    )
    return draft


# ---------------------------------------------------------------- translations (staff)


@transaction.atomic
def module_translation_save(
    *,
    acting: Actor,
    version: ModuleVersion,
    language: str,
    title: str,
    body: str,
    summary: str = "",
    questions: JSONDict | None = None,
) -> ModuleVersionTranslation:
    """Write or replace the translation of the module's current version into ``language`` (issue 19).

    Only the current published version is translated: its text never changes, so a saved
    translation stays true to it, and a later version starts untranslated (its readers get
    English, saying so). Every question and choice must be translated: a reader never gets a
    check half in one language. ``questions`` is ``{question id: {"text", "explanation",
    "choices": {choice id: text}}}``; keys are the source rows, so scoring is unchanged.
    """
    acting.require("staff.training")
    require_translation_language(language)
    version = ModuleVersion.objects.select_related("module").get(pk=version.pk)
    module = Module.objects.select_for_update().get(pk=version.module_id)
    if version.is_draft or module.current_version_id != version.pk:
        raise ValidationError(gettext("Only the current published version can be translated; publish the draft first."))
    title, summary, body = title.strip(), summary.strip(), body.strip()
    if not title or not body:
        raise ValidationError(gettext("Translate the title and the content."))
    if len(title) > 200:
        raise ValidationError(gettext("The title can be at most 200 characters."))
    given = {str(k): v for k, v in (questions or {}).items()}
    source = list(version.questions.prefetch_related("choices"))
    if set(given) - {str(q.pk) for q in source}:
        raise ValidationError(gettext("That question belongs to another version."))
    stored: dict[str, JSONDict] = {}
    for n, question in enumerate(source, start=1):
        entry = given.get(str(question.pk)) or {}
        text = str(entry.get("text") or "").strip()
        explanation = str(entry.get("explanation") or "").strip()
        choices_given = {str(k): str(v or "").strip() for k, v in (entry.get("choices") or {}).items()}
        choices = {str(c.pk): choices_given.get(str(c.pk), "") for c in question.choices.all()}
        if not text or (question.explanation and not explanation) or not all(choices.values()):
            raise ValidationError(
                gettext("Translate question %(number)s: its wording, every choice and its explanation.") % {"number": n}
            )
        if any(len(c) > 500 for c in choices.values()):
            raise ValidationError(gettext("An answer choice can be at most 500 characters."))
        stored[str(question.pk)] = {"text": text, "explanation": explanation, "choices": choices}
    return save_version_translation(
        ModuleVersionTranslation,
        acting=acting,
        version=version,
        language=language,
        fields={"title": title, "summary": summary, "body": body, "questions": stored},
        action="training.translation_save",
        obj=module,
        detail={"version": version.version, "language": language},
    )


# ---------------------------------------------------------------- learners


@dataclass(frozen=True)
class QuestionFeedback:
    question: Question
    chosen: Choice | None
    correct_choice: Choice

    @property
    def is_correct(self) -> bool:
        return self.chosen is not None and self.chosen.pk == self.correct_choice.pk


@dataclass(frozen=True)
class CheckResult:
    """``feedback`` (answers, explanations) is for a passed check only: after a failed one the page
    shows the score and how many were right, never which answer is correct — or a retake is trivial."""

    attempt: CheckAttempt
    feedback: list[QuestionFeedback]

    @property
    def right(self) -> int:
        return sum(f.is_correct for f in self.feedback)

    @property
    def total(self) -> int:
        return len(self.feedback)

    @property
    def shown_feedback(self) -> list[QuestionFeedback]:
        return self.feedback if self.attempt.passed else []


def _published_version_for(membership: Membership, module: Module) -> ModuleVersion:
    if module.status != ModuleStatus.PUBLISHED or module.current_version is None:
        raise ValidationError(gettext("This module is not published."))
    if not module.for_role(membership.role):
        raise ValidationError(gettext("This module is not part of your training."))
    return module.current_version


@transaction.atomic
def check_submit(*, acting: Actor, module: Module, answers: dict[int, int]) -> CheckResult:
    """Score the acting member's try at the current version's knowledge check; every try is kept and
    retakes are allowed.

    ``answers`` maps question id → chosen choice id; unanswered questions count as wrong.
    """
    membership = acting.own_membership("training.learn")
    version = _published_version_for(membership, module)
    questions = list(version.questions.prefetch_related("choices"))
    if not questions:
        raise ValidationError(gettext("This module has no knowledge check."))
    feedback = []
    for question in questions:
        choices: dict[int | None, Choice] = {c.pk: c for c in question.choices.all()}  # get(None): unanswered
        correct = next(c for c in choices.values() if c.correct)
        feedback.append(QuestionFeedback(question, choices.get(answers.get(question.pk)), correct))
    right = sum(f.is_correct for f in feedback)
    score = round(100 * right / len(questions))
    attempt = CheckAttempt.objects.create(
        membership=membership,
        version=version,
        score=score,
        passed=score >= version.passing_score,
        answers={str(f.question.pk): f.chosen.pk if f.chosen else None for f in feedback},
        submitted_at=timezone.now(),
    )
    return CheckResult(attempt, feedback)


def best_passing_attempt(*, membership: Membership, version: ModuleVersion) -> CheckAttempt | None:
    return (
        CheckAttempt.objects.filter(membership=membership, version=version, passed=True)
        .order_by("-score", "-submitted_at")
        .first()
    )


@transaction.atomic
def module_attest(*, acting: Actor, module: Module) -> Completion:
    """The acting member records "I attest that I completed …" for the current version, with time and
    score (R21).

    A module with a knowledge check can be attested only after passing it.
    Attesting twice returns the first attestation unchanged.
    """
    membership = acting.own_membership("training.learn")
    version = _published_version_for(membership, module)
    existing = Completion.objects.filter(membership=membership, version=version).first()
    if existing:
        return existing
    score = None
    if version.questions.exists():
        attempt = best_passing_attempt(membership=membership, version=version)
        if attempt is None:
            raise ValidationError(
                gettext("Pass the knowledge check (at least %(passing_score)s%% correct) before you attest.")
                % {"passing_score": version.passing_score}
            )
        score = attempt.score
    try:
        with transaction.atomic():
            return Completion.objects.create(
                membership=membership, version=version, score=score, passed=True, attested_at=timezone.now()
            )
    except IntegrityError:  # a double click raced us: the first attestation stands
        return Completion.objects.get(membership=membership, version=version)


# ---------------------------------------------------------------- CME (R22)


@transaction.atomic
def activity_evaluate(
    *,
    acting: Actor,
    completion: Completion,
    objectives_met: int,
    relevance: int,
    free_of_bias: bool,
    practice_change: str,
    change_text: str = "",
    comments: str = "",
) -> ActivityEvaluation:
    """The mentor evaluates a credit-bearing activity they completed; required before the claim.

    One evaluation per completion: a second one is refused, so the record is what was said first.
    """
    membership = acting.own_membership("training.cme")
    if completion.membership_id != membership.pk:
        raise ValidationError(gettext("You can evaluate only activities you completed."))
    if not completion.version.carries_cme:
        raise ValidationError(gettext("Only activities that carry CME credit are evaluated here."))
    if not (1 <= objectives_met <= 5 and 1 <= relevance <= 5):
        raise ValidationError(gettext("Choose an answer from “strongly disagree” to “strongly agree”."))
    if practice_change not in ActivityEvaluation.Change.values:
        raise ValidationError(gettext("Say whether you will change how you mentor."))
    if ActivityEvaluation.objects.filter(completion=completion).exists():
        raise ValidationError(gettext("You have already evaluated this activity."))
    return ActivityEvaluation.objects.create(
        membership=membership,
        version=completion.version,
        completion=completion,
        objectives_met=objectives_met,
        relevance=relevance,
        free_of_bias=free_of_bias,
        practice_change=practice_change,
        change_text=change_text.strip(),
        comments=comments.strip(),
        submitted_at=timezone.now(),
    )


CERTIFICATE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by hand


def new_certificate_number(*, year: int, rng: random.Random | None = None) -> str:
    """``MMM-<year>-XXXX-XXXX``: 40 random bits, so numbers cannot be guessed or enumerated."""
    pick = rng.choice if rng is not None else secrets.choice
    body = "".join(pick(CERTIFICATE_ALPHABET) for _ in range(8))
    return f"MMM-{year}-{body[:4]}-{body[4:]}"


def npi_is_valid(npi: str) -> bool:
    """NPI check digit: Luhn over the prefix 80840 plus the first nine digits."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(d) for d in "80840" + npi[:9]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


class ReportingFields(TypedDict):
    """A claim's identifiers for PARS reporting (all optional)."""

    npi: str
    licence_state: str
    licence_number: str
    board_id: str
    birth_month: int | None
    birth_day: int | None


def _reporting_fields(
    npi: str, licence_state: str, licence_number: str, board_id: str, birth_month: int | None, birth_day: int | None
) -> ReportingFields:
    npi, licence_state = npi.strip(), licence_state.strip().upper()
    if npi and not npi_is_valid(npi):
        raise ValidationError(
            gettext("That NPI is not valid: it has 10 digits and a check digit; check it or leave it empty.")
        )
    if licence_number.strip() and not licence_state:
        raise ValidationError(gettext("Give the state that issued your licence."))
    if licence_state and not (len(licence_state) == 2 and licence_state.isalpha()):
        raise ValidationError(gettext("Give the licence state as its two-letter code, for example IL."))
    if (birth_month is None) != (birth_day is None):
        raise ValidationError(gettext("Give both the month and the day of birth, or neither."))
    if birth_month is not None and not (
        1 <= birth_month <= 12 and birth_day is not None and 1 <= birth_day <= DAYS_IN_MONTH[birth_month]
    ):  # (birth_day is set: both or neither, checked above)
        raise ValidationError(gettext("That month and day of birth do not exist."))
    return {
        "npi": npi,
        "licence_state": licence_state,
        "licence_number": licence_number.strip(),
        "board_id": board_id.strip(),
        "birth_month": birth_month,
        "birth_day": birth_day,
    }


@transaction.atomic
def cme_claim(
    *,
    acting: Actor,
    completion: Completion,
    credits: Decimal | str,
    attested_participation: bool,
    npi: str = "",
    licence_state: str = "",
    licence_number: str = "",
    board_id: str = "",
    birth_month: int | None = None,
    birth_day: int | None = None,
    certificate_number: str | None = None,
) -> CmeClaim:
    """A mentor claims AMA PRA Category 1 Credit™ for a completed, attested, credit-bearing version (R22).

    Credits must be positive, at most the version's maximum and in 0.25 steps;
    participation must be attested; one claim per version. The identifiers are
    optional and used only for PARS reporting.
    """
    membership = acting.own_membership("training.learn")  # a mentee is told below who claims
    if membership.role != "mentor":
        raise ValidationError(gettext("CME credit is claimed by mentors."))
    if completion.membership_id != membership.pk:
        raise ValidationError(gettext("You can claim credit only for your own completed modules."))
    version = completion.version
    if not version.carries_cme:
        raise ValidationError(gettext("This module does not carry CME credit."))
    if not completion.passed:
        raise ValidationError(gettext("Pass the module's assessment before claiming credit."))
    if not ActivityEvaluation.objects.filter(completion=completion).exists():
        raise ValidationError(gettext("Complete the short activity evaluation before claiming credit."))
    amount = parse_credits(credits)
    if amount <= 0:
        raise ValidationError(gettext("Claim at least 0.25 credits."))
    if amount > version.cme_max_credits:
        raise ValidationError(
            gettext("This activity is designated for at most %(format_credits)s credits; claim that or less.")
            % {"format_credits": conf.format_credits(version.cme_max_credits)}
        )
    if not attested_participation:
        raise ValidationError(gettext("Attest that you participated in the activity to claim credit."))
    if CmeClaim.objects.filter(membership=membership, version=version).exists():
        raise ValidationError(gettext("You have already claimed credit for this activity; see your transcript."))
    now = timezone.now()
    claim = CmeClaim(
        membership=membership,
        version=version,
        completion=completion,
        credits=amount,
        attested_participation=True,
        completed_on=platform_today(completion.attested_at),
        claimed_at=now,
        **_reporting_fields(npi, licence_state, licence_number, board_id, birth_month, birth_day),
    )
    claim.certificate_number = certificate_number or _unique_certificate_number(now.year)
    claim.save()
    return claim


def _unique_certificate_number(year: int) -> str:
    while True:
        number = new_certificate_number(year=year)
        if not CmeClaim.objects.filter(certificate_number=number).exists():
            return number
