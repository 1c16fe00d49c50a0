"""De-identified research exports (R25): one row per mentorship request of consenting mentees.

No direct identifiers (names, e-mails, record ids), pseudonymous ids that are consistent
within one request's exports and meaningless outside it (HMAC with the request's own key),
dates coarsened to the month, places to the state of the institution, and small cells
suppressed: any value of a quasi-identifier column (training level, state, institution kind,
specialty) held by fewer than k distinct mentees is replaced by "suppressed".
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from collections import defaultdict

from django.utils import timezone

from mentormemed.outcomes.suppression import k_min

VARIABLES = {
    "training_level": "Mentee's training level",
    "eligibility_bases": "Mentee's eligibility bases (URiM, first-generation, economically disadvantaged)",
    "institution": "Institution kind and state (no name)",
    "request_outcome": "Request outcome and response time (days)",
    "areas": "Content areas the request was about",
    "mentor_specialty": "Mentor's specialty",
    "shared_characteristics": "Which kinds of characteristic mentee and mentor share (not the values)",
    "relationship": "Relationship start month, length in months, how it ended",
    "evaluations": "Mean evaluation scores of the relationship (1–7)",
}
QUASI_IDENTIFIERS = ["training_level", "institution_kind", "institution_state", "mentor_specialty"]


def new_salt() -> str:
    return secrets.token_hex(32)


def pseudonym(salt: str, kind: str, pk: int) -> str:
    return kind[0].upper() + hmac.new(salt.encode(), f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()[:10]


def export_rows(*, request) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the export for an approved ``request`` (its chosen variables only)."""
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
    requests = list(qs)
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

    header = ["mentee_id", "mentor_id", "request_month"]
    rows, mentee_of_row = [], []
    for r in requests:
        row = {
            "mentee_id": pseudonym(salt, "mentee", r.mentee_id),
            "mentor_id": pseudonym(salt, "mentor", r.mentor_id),
            "request_month": f"{r.created_at:%Y-%m}",
        }
        profile, eligibility = r.mentee.mentee_profile, getattr(r.mentee, "eligibility", None)
        if "training_level" in chosen:
            row["training_level"] = profile.training_level or "not given"
        if "eligibility_bases" in chosen:
            row["eligibility_bases"] = ";".join(eligibility.bases) if eligibility else ""
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
            row["evaluation_mean"] = f"{sum(values) / len(values):.2f}" if values else ""
        for key in row:
            if key not in header:
                header.append(key)
        rows.append(row)
        mentee_of_row.append(r.mentee_id)
    _suppress_quasi_identifiers(rows, mentee_of_row)
    return header, [[row.get(h, "") for h in header] for row in rows]


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


def _suppress_quasi_identifiers(rows: list[dict], mentees: list[int]) -> None:
    k = k_min()
    for column in QUASI_IDENTIFIERS:
        holders = defaultdict(set)
        for row, mentee in zip(rows, mentees, strict=True):
            if column in row:
                holders[row[column]].add(mentee)
        rare = {value for value, people in holders.items() if len(people) < k}
        for row in rows:
            if column in row and row[column] in rare:
                row[column] = "suppressed"


def export_csv(*, request) -> str:
    header, rows = export_rows(request=request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
