"""Reads about training. Learner reads take the membership; admin reads take the institution."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from mentormemed.core.languages import reader_language, source_language
from mentormemed.core.translations import translation_of_earlier_version, translations_by_language
from mentormemed.core.types import JSONDict
from mentormemed.training.models import (
    Audience,
    CheckAttempt,
    Choice,
    CmeClaim,
    Completion,
    Module,
    ModuleStatus,
    ModuleVersion,
    ModuleVersionTranslation,
    Question,
)

if TYPE_CHECKING:
    import datetime as dt

    from django.db.models import Aggregate

    from mentormemed.institutions.models import Institution, Membership


def published_modules(*, role: str) -> QuerySet[Module]:
    """Published modules for a role (its own audience and "both"), current version joined."""
    return (
        Module.objects.filter(status=ModuleStatus.PUBLISHED, audience__in=[role, Audience.BOTH])
        .select_related("current_version")
        .order_by("-required", "position", "title")
    )


def missing_required_modules(*, membership: Membership) -> list[Module]:
    """R7: required modules of the membership's role whose *current* version it has not attested.

    One query. Used by the onboarding step (and so by the request gate) and for
    messages that say exactly what is missing.
    """
    attested = Completion.objects.filter(membership=membership, version=OuterRef("current_version"))
    return list(
        published_modules(role=membership.role)
        .filter(required=True)
        .annotate(attested=Exists(attested))
        .filter(attested=False)
    )


def memberships_missing_training(role: str) -> QuerySet[Membership, object]:
    """Ids of ``role`` memberships missing a required module's current version (R7), as a subquery."""
    from mentormemed.institutions.models import Membership

    attested = Completion.objects.filter(membership=OuterRef(OuterRef("pk")), version=OuterRef("current_version"))
    missing = published_modules(role=role).filter(required=True).filter(~Exists(attested))
    return Membership.objects.filter(role=role).filter(Exists(missing)).values("pk")


def missing_by_membership(memberships: Iterable[Membership]) -> dict[int, list[Module]]:
    """``missing_required_modules`` for many memberships in two queries (admin lists)."""
    memberships = list(memberships)
    required = {
        role: list(published_modules(role=role).filter(required=True))
        for role in {m.role for m in memberships}
        if role in ("mentor", "mentee")
    }
    versions = {m.current_version_id for mods in required.values() for m in mods}
    done = set(
        Completion.objects.filter(membership__in=memberships, version_id__in=versions).values_list(
            "membership_id", "version_id"
        )
    )
    return {
        m.pk: [mod for mod in required.get(m.role, []) if (m.pk, mod.current_version_id) not in done]
        for m in memberships
    }


@dataclass
class ModuleProgress:
    """Where one learner stands on one module."""

    module: Module
    completion: Completion | None = None  # of the current version
    earlier_completion: Completion | None = None  # of an older version
    best_score: int | None = None
    attempts: int = 0
    claim: CmeClaim | None = None

    @property
    def state(self) -> str:
        if self.completion:
            return "completed"
        if self.earlier_completion:
            return "update"  # a newer version to read and attest
        if self.attempts:
            return "in_progress"
        return "not_started"

    @property
    def label(self) -> str:
        return {
            "completed": "Completed",
            "update": "New version to attest" if self.module.required else "New version available",
            "in_progress": "In progress",
            "not_started": "Not started",
        }[self.state]

    @property
    def counts_as_done(self) -> bool:
        return self.completion is not None or (self.earlier_completion is not None and not self.module.required)


def library(*, membership: Membership) -> list[ModuleProgress]:
    """The learner's module list with progress, in three queries whatever its length."""
    modules = list(published_modules(role=membership.role))
    completions = Completion.objects.filter(membership=membership).select_related("version")
    if membership.role == "mentor":
        completions = completions.select_related("cme_claim")
    by_module: dict[int, list[Completion]] = {}
    for c in completions.order_by("-version__version"):
        by_module.setdefault(c.version.module_id, []).append(c)
    stats: dict[int | None, Mapping[str, Any]] = {  # a values() row per version: n, best
        row["version_id"]: row
        for row in CheckAttempt.objects.filter(
            membership=membership, version_id__in=[m.current_version_id for m in modules]
        )
        .values("version_id")
        .annotate(n=Count("pk"), best=Max("score"))
    }
    rows = []
    for module in modules:
        done = by_module.get(module.pk, [])
        current = next((c for c in done if c.version_id == module.current_version_id), None)
        stat = stats.get(module.current_version_id, {})
        rows.append(
            ModuleProgress(
                module=module,
                completion=current,
                earlier_completion=None if current else (done[0] if done else None),
                best_score=stat.get("best"),
                attempts=stat.get("n", 0),
                claim=getattr(current, "cme_claim", None) if current and membership.role == "mentor" else None,
            )
        )
    return rows


def module_progress(*, membership: Membership, module: Module) -> ModuleProgress:
    return next((row for row in library(membership=membership) if row.module.pk == module.pk), ModuleProgress(module))


def version_with_check(version: ModuleVersion) -> ModuleVersion:
    """The version with its questions and choices prefetched (one extra query each)."""
    return ModuleVersion.objects.prefetch_related("questions__choices", "resources").get(pk=version.pk)


# ---------------------------------------------------------------- the reader's language


@dataclass(frozen=True)
class ModuleText:
    """What a reader reads of one version: in their language when staff translated it, else English.

    ``language`` is the language of the text (the ``lang`` of its block on the page);
    ``fallback`` says the reader asked for another language and gets English instead. Questions
    and choices are looked up by their source rows, so answers post and score the source choices.
    """

    title: str
    summary: str
    body: str
    language: str
    requested: str
    questions: dict[str, JSONDict] = field(default_factory=dict)

    @property
    def translated(self) -> bool:
        return self.language != source_language()

    @property
    def fallback(self) -> bool:
        return self.requested != self.language

    def question(self, question: Question) -> str:
        return self.questions.get(str(question.pk), {}).get("text") or question.text

    def explanation(self, question: Question) -> str:
        if not question.explanation:
            return ""
        return self.questions.get(str(question.pk), {}).get("explanation") or question.explanation

    def choice(self, choice: Choice) -> str:
        return self.questions.get(str(choice.question_id), {}).get("choices", {}).get(str(choice.pk)) or choice.text


def module_text(*, version: ModuleVersion, language: str | None = None) -> ModuleText:
    """The version's text in ``language`` (default: the request's), falling back to English.

    Only a translation of this very version counts: one written for an earlier version is never
    shown for a later one (one query; none for an English reader).
    """
    requested = reader_language(language)
    module = version.module
    english = ModuleText(
        title=module.title, summary=module.summary, body=version.body, language=source_language(), requested=requested
    )
    if requested == source_language():
        return english
    found = ModuleVersionTranslation.objects.filter(version=version, language=requested).first()
    if found is None:
        return english
    return ModuleText(
        title=found.title,
        summary=found.summary or module.summary,
        body=found.body,
        language=requested,
        requested=requested,
        questions=found.questions or {},
    )


def library_texts(modules: list[Module], *, language: str | None = None) -> dict[int, ModuleText]:
    """``module_text`` of each module's current version for a list page, in one query."""
    requested = reader_language(language)
    found: dict[int | None, ModuleVersionTranslation] = {}
    if requested != source_language():
        found = {
            t.version_id: t
            for t in ModuleVersionTranslation.objects.filter(
                version_id__in=[m.current_version_id for m in modules if m.current_version_id], language=requested
            ).only("version_id", "title", "summary")
        }
    texts = {}
    for m in modules:
        t = found.get(m.current_version_id)
        texts[m.pk] = ModuleText(
            title=t.title if t else m.title,
            summary=(t.summary or m.summary) if t else m.summary,
            body="",
            language=requested if t else source_language(),
            requested=requested,
        )
    return texts


def translations_of(module: Module) -> dict[str, ModuleVersionTranslation]:
    """The current version's translations by language (staff pages)."""
    return translations_by_language(ModuleVersionTranslation, module.current_version_id)


def earlier_translation(version: ModuleVersion, language: str) -> ModuleVersionTranslation | None:
    """The newest translation into ``language`` of an earlier version of the same module, if any."""
    return translation_of_earlier_version(
        ModuleVersionTranslation, version, language, parent="module", number="version"
    )


# ---------------------------------------------------------------- CME


def claimable_completions(*, membership: Membership) -> list[Completion]:
    """The mentor's attested, credit-bearing completions without a claim yet."""
    return list(
        Completion.objects.filter(membership=membership, version__cme_max_credits__gt=0, cme_claim__isnull=True)
        .select_related("version__module")
        .order_by("-attested_at")
    )


def transcript(*, membership: Membership) -> list[CmeClaim]:
    return list(
        CmeClaim.objects.filter(membership=membership).select_related("version__module").order_by("-claimed_at")
    )


def transcript_total(claims: list[CmeClaim]) -> Decimal:
    return sum((c.credits for c in claims), Decimal("0"))


def claim_by_number(number: str) -> CmeClaim | None:
    """Public verification: the claim with this certificate number, or None."""
    return (
        CmeClaim.objects.select_related("membership__user", "version__module")
        .filter(certificate_number=number.strip().upper())
        .first()
    )


def staff_claims(
    *, institution_id: int | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[CmeClaim]:
    """Every claim (staff), optionally for one institution and a claimed-on date range."""
    qs = CmeClaim.objects.select_related("membership__user", "membership__institution", "version__module")
    if institution_id:
        qs = qs.filter(membership__institution_id=institution_id)
    if start:
        qs = qs.filter(claimed_at__date__gte=start)
    if end:
        qs = qs.filter(claimed_at__date__lte=end)
    return qs.order_by("-claimed_at", "pk")


# ---------------------------------------------------------------- institution admins


def institution_claims(*, institution: Institution) -> QuerySet[CmeClaim]:
    """CME claims of the institution's own people only (tenant-scoped)."""
    return staff_claims().filter(membership__institution=institution)


def institution_learners(*, institution: Institution, role: str = "") -> QuerySet[Membership]:
    """Active mentors and mentees of the institution with their completion count and credits claimed."""
    from mentormemed.institutions.models import Membership

    qs = Membership.objects.filter(institution=institution, role__in=["mentor", "mentee"], status="active")
    if role in ("mentor", "mentee"):
        qs = qs.filter(role=role)
    return (
        qs.select_related("user")
        .annotate(
            # Subqueries, not joins: two joined many-sides would multiply the credit sum.
            completions=Coalesce(Subquery(_per_member(Completion, Count("pk"))), 0),
            credits=Subquery(_per_member(CmeClaim, Sum("credits"))),
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )


def _per_member(model: type[Completion | CmeClaim], aggregate: Aggregate) -> QuerySet[Completion | CmeClaim, object]:
    return (
        model.objects.filter(membership=OuterRef("pk"))
        .order_by()
        .values("membership")
        .annotate(v=aggregate)
        .values("v")
    )


class InstitutionSummary(TypedDict):
    claims: int
    credits: Decimal
    claiming_mentors: int
    completions: int
    people_completed: int


def institution_summary(*, institution: Institution) -> InstitutionSummary:
    claims = CmeClaim.objects.filter(membership__institution=institution).aggregate(
        n=Count("pk"), credits=Sum("credits"), mentors=Count("membership", distinct=True)
    )
    completions = Completion.objects.filter(membership__institution=institution).aggregate(
        n=Count("pk"), people=Count("membership", distinct=True)
    )
    return {
        "claims": claims["n"],
        "credits": claims["credits"] or Decimal("0"),
        "claiming_mentors": claims["mentors"],
        "completions": completions["n"],
        "people_completed": completions["people"],
    }
