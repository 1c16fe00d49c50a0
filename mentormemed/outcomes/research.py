"""De-identified research exports (R25, R38): one row per mentorship request of consenting mentees.

What the export guarantees:

* No direct identifiers (names, e-mails, record ids); pseudonymous ids consistent within one
  request's exports and meaningless outside it (HMAC with the request's own key).
* **k-anonymity on the combination of quasi-identifiers** (training level, eligibility bases,
  institution kind and state, local match, mentor's specialty, request and relationship
  months): every combination that appears is shared by at least k distinct mentees. To get
  there the export first *coarsens* whole columns one step at a time (level → UME/GME →
  any; month → quarter → academic year; a value → "any"), always the column with the most
  distinct values, and only then drops the few rows still in classes under k. What was
  coarsened and how many rows were dropped is written in the README of the archive.
* **Safe against its requester**: requests in which the requester took part (as mentor or
  mentee) are left out, so they cannot find their own pseudonym or their mentees' answers.
* **No evaluation values tied to a mentor**: when evaluation means are exported, the mentor
  pseudonym is not, and means are rounded to 0.5, so a mentor's scores cannot be assembled.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy

from mentormemed.core.routers import replica_reads
from mentormemed.core.spreadsheet import csv_text
from mentormemed.outcomes.suppression import k_min

VARIABLES = {
    "training_level": gettext_lazy("Mentee's training level"),
    "eligibility_bases": gettext_lazy(
        "Mentee's eligibility bases (URiM, first-generation, economically disadvantaged)"
    ),
    "institution": gettext_lazy("Institution kind and state (no name)"),
    "request_outcome": gettext_lazy("Request outcome and response time (days)"),
    "areas": gettext_lazy("Content areas the request was about"),
    "mentor_specialty": gettext_lazy("Mentor's specialty"),
    "shared_characteristics": gettext_lazy("Which kinds of characteristic mentee and mentor share (not the values)"),
    "relationship": gettext_lazy("Relationship start month, length in months, how it ended"),
    "evaluations": gettext_lazy("Mean evaluation scores of the relationship (1–7)"),
}
UME = {"MS1", "MS2", "MS3", "MS4"}
ANY = "any"


def _level_group(value: str) -> str:
    if value in UME:
        return "UME"
    return "not given" if value == "not given" else "GME"


def _quarter(month: str) -> str:
    if not month:
        return ""
    year, mm = month.split("-")
    return f"{year}-Q{(int(mm) - 1) // 3 + 1}"


def _academic_year(month: str) -> str:
    if not month:
        return ""
    year, mm = (int(x) for x in month.split("-"))
    start = year if mm >= 7 else year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _to_any(value: str) -> str:
    return ANY if value else ""


MONTHS = [_quarter, _academic_year, _to_any]
# Each quasi-identifier and its coarsening steps, finest first; each maps the original value.
QUASI_IDENTIFIERS: dict[str, list[Callable[[str], str]]] = {
    "training_level": [_level_group, _to_any],
    "eligibility_bases": [_to_any],
    "institution_kind": [_to_any],
    "institution_state": [_to_any],
    "local_match": [_to_any],
    "mentor_specialty": [_to_any],
    "request_month": MONTHS,
    "relationship_start_month": MONTHS,
}
STEP_NAMES = {
    _level_group: "training level grouped into UME / GME",
    _quarter: "months grouped into quarters",
    _academic_year: "months grouped into academic years (July–June)",
    _to_any: 'replaced by "any"',
}


@dataclass
class Release:
    """The export of one request: its rows and what was done to make it safe."""

    header: list[str]
    rows: list[list[str]]
    k: int
    coarsened: dict[str, list[str]] = field(default_factory=dict)
    dropped: int = 0
    left_out_own: int = 0


def new_salt() -> str:
    return secrets.token_hex(32)


def pseudonym(salt: str, kind: str, pk: int) -> str:
    return kind[0].upper() + hmac.new(salt.encode(), f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()[:10]


@replica_reads()  # it only reads: from the replica when there is one (core.routers)
def export_rows(*, request) -> Release:
    """The k-anonymous export for an approved ``request`` (its chosen variables only)."""
    from mentormemed.evaluations.models import Evaluation
    from mentormemed.matching.models import MentorFacet
    from mentormemed.mentorships.models import MentorshipRequest
    from mentormemed.profiles.models import IdentityValue

    chosen = [v for v in VARIABLES if v in request.variables]
    salt = request.export_salt
    qs = (
        MentorshipRequest.objects.filter(mentee__mentee_profile__consent_research=True)
        .select_related(
            "mentee__mentee_profile",
            "mentee__eligibility",
            "mentee__institution__state",
            "mentor__membership__institution",
        )
        .prefetch_related("areas", "mentor__specialties")
        .order_by("created_at", "pk")
    )
    own = {request.requester.user_id}
    everyone = list(qs)
    requests = [r for r in everyone if r.mentee.user_id not in own and r.mentor.membership.user_id not in own]
    rels = {}
    from mentormemed.mentorships.models import Relationship

    for rel in Relationship.objects.filter(request__in=[r.pk for r in requests]):
        rels[rel.request_id] = rel
    scores = defaultdict(list)
    for rel_id, value in Evaluation.objects.filter(relationship__in=[r.pk for r in rels.values()]).values_list(
        "relationship_id", "competency_mean"
    ):
        if value is not None:
            scores[rel_id].append(value)
    shared = _shared_groups(requests, IdentityValue, MentorFacet) if "shared_characteristics" in chosen else {}

    # Evaluation values next to a stable mentor pseudonym would add up to that mentor's scores.
    header = ["mentee_id", "request_month"] if "evaluations" in chosen else ["mentee_id", "mentor_id", "request_month"]
    rows, mentee_of_row = [], []
    for r in requests:
        row = {"mentee_id": pseudonym(salt, "mentee", r.mentee_id), "request_month": f"{r.created_at:%Y-%m}"}
        if "mentor_id" in header:
            row["mentor_id"] = pseudonym(salt, "mentor", r.mentor_id)
        profile, eligibility = r.mentee.mentee_profile, getattr(r.mentee, "eligibility", None)
        if "training_level" in chosen:
            row["training_level"] = profile.training_level or "not given"
        if "eligibility_bases" in chosen:
            row["eligibility_bases"] = ";".join(sorted(eligibility.bases)) if eligibility else ""
        if "institution" in chosen:
            row["institution_kind"] = r.mentee.institution.kind
            row["institution_state"] = r.mentee.institution.state.code if r.mentee.institution.state else ""
            row["local_match"] = "yes" if r.mentee.institution_id == r.mentor.membership.institution_id else "no"
        if "request_outcome" in chosen:
            row["outcome"] = r.state
            row["response_days"] = (
                str(round((r.responded_at - r.created_at).total_seconds() / 86400)) if r.responded_at else ""
            )
        if "areas" in chosen:
            row["areas"] = ";".join(sorted(a.key for a in r.areas.all()))
        if "mentor_specialty" in chosen:
            specs = sorted(s.name for s in r.mentor.specialties.all())
            row["mentor_specialty"] = specs[0] if specs else ""
        if "shared_characteristics" in chosen:
            row["shared_characteristics"] = ";".join(sorted(shared.get(r.pk, set())))
        rel = rels.get(r.pk)
        if "relationship" in chosen:
            row["relationship_start_month"] = f"{rel.started_at:%Y-%m}" if rel else ""
            row["relationship_months"] = (
                str(round(((rel.ended_at or timezone.now()) - rel.started_at).days / 30.44)) if rel else ""
            )
            row["end_reason"] = rel.end_reason if rel else ""
        if "evaluations" in chosen:
            values = scores.get(rel.pk, []) if rel else []
            row["evaluation_mean"] = f"{round(2 * sum(values) / len(values)) / 2:.1f}" if values else ""
        for key in row:
            if key not in header:
                header.append(key)
        rows.append(row)
        mentee_of_row.append(r.mentee_id)
    release = Release(header, [], k_min(), left_out_own=len(everyone) - len(requests))
    kept = _anonymise(rows, mentee_of_row, release)
    release.rows = [[row.get(h, "") for h in header] for row in kept]
    return release


def _shared_groups(requests, IdentityValue, MentorFacet) -> dict[int, set[str]]:
    mentee_keys = defaultdict(set)
    for mid, dim, key in IdentityValue.objects.filter(
        membership_id__in={r.mentee_id for r in requests}, shared=True
    ).values_list("membership_id", "option__dimension__key", "option__key"):
        mentee_keys[mid].add(f"id:{dim}:{key}")
    mentor_keys = defaultdict(set)
    for mid, key in MentorFacet.objects.filter(
        mentor_id__in={r.mentor_id for r in requests}, key__startswith="id:"
    ).values_list("mentor_id", "key"):
        mentor_keys[mid].add(key)
    return {
        r.pk: {k.rsplit(":", 1)[0].removeprefix("id:") for k in mentee_keys[r.mentee_id] & mentor_keys[r.mentor_id]}
        for r in requests
    }


def _classes(rows: list[dict], mentees: list[int], columns: list[str]) -> dict[tuple, set[int]]:
    """Distinct mentees per combination of the quasi-identifier values."""
    found: dict[tuple, set[int]] = defaultdict(set)
    for row, mentee in zip(rows, mentees, strict=True):
        found[tuple(row[c] for c in columns)].add(mentee)
    return found


def _anonymise(rows: list[dict], mentees: list[int], release: Release, *, max_dropped: float = 0.05) -> list[dict]:
    """Coarsen whole quasi-identifier columns until at most ``max_dropped`` of the rows sit in
    classes of fewer than k mentees, then drop those rows (full-domain generalisation).

    Each round takes the one coarsening step that leaves the fewest rows in small classes
    (ties: the column listed later, so training level — usually what was asked for — goes last)."""
    k = release.k
    columns = [c for c in QUASI_IDENTIFIERS if rows and c in rows[0]]
    original = [dict(row) for row in rows]
    steps = dict.fromkeys(columns, 0)

    def small_rows(candidate: list[dict]) -> int:
        classes = _classes(candidate, mentees, columns)
        return sum(1 for row in candidate if len(classes[tuple(row[c] for c in columns)]) < k)

    def coarsened(column: str) -> list[dict]:
        step = QUASI_IDENTIFIERS[column][steps[column]]  # each step maps the original value
        return [{**row, column: step(source[column])} for row, source in zip(rows, original, strict=True)]

    while small_rows(rows) > max_dropped * len(rows):
        open_columns = [c for c in columns if steps[c] < len(QUASI_IDENTIFIERS[c])]
        if not open_columns:
            break
        trials = {c: coarsened(c) for c in open_columns}
        column = min(open_columns, key=lambda c: (small_rows(trials[c]), -columns.index(c)))
        release.coarsened.setdefault(column, []).append(STEP_NAMES[QUASI_IDENTIFIERS[column][steps[column]]])
        steps[column] += 1
        rows = trials[column]
    classes = _classes(rows, mentees, columns)
    kept = [row for row in rows if len(classes[tuple(row[c] for c in columns)]) >= k]
    release.dropped = len(rows) - len(kept)
    return kept


def readme(request, release: Release) -> str:
    """What the export holds and what was done to it, for the recipient."""
    quasi = [c for c in QUASI_IDENTIFIERS if c in release.header]
    lines = [
        f"De-identified export for research request {request.pk}: {request.title}",
        "",
        "One row per mentorship request of mentees who consented to research use.",
        "No names, e-mail addresses, record ids or exact dates. Ids are pseudonyms valid in this export only.",
        f"Every combination of the quasi-identifier columns ({', '.join(quasi)})"
        f" is shared by at least {release.k} different mentees.",
        "",
    ]
    if release.coarsened:
        lines.append("To reach that, these columns were coarsened for every row (not blanked):")
        lines += [f"- {column}: {'; then '.join(steps)}" for column, steps in release.coarsened.items()]
    else:
        lines.append("No column needed coarsening.")
    lines.append(f"Rows left out because they stayed in a group of fewer than {release.k} mentees: {release.dropped}.")
    lines.append(f"Rows left out because the requester took part in them: {release.left_out_own}.")
    if "mentor_id" not in release.header:
        lines.append("Mentor pseudonyms are left out because evaluation means are included; means are rounded to 0.5.")
    lines += ["", "Re-identifying anyone, or linking these rows to other data to do so, is not permitted."]
    return "\n".join(lines) + "\n"


def export_csv(*, request) -> str:
    release = export_rows(request=request)
    return _csv(release)


def _csv(release: Release) -> str:
    return csv_text(release.header, release.rows)


def export_archive(*, request) -> tuple[bytes, Release]:
    """A zip with ``data.csv`` and ``README.txt`` (what was coarsened and why)."""
    release = export_rows(request=request)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.csv", _csv(release))
        archive.writestr("README.txt", readme(request, release))
    return buffer.getvalue(), release
