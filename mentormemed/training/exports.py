"""Staff exports of CME claims: ACCME PARS learner batch upload (tab-delimited) and CSV.

PARS takes one learner completion per row, tab-delimited, without a header
row, in the column order below (learner fields of the PARS learner template:
names, NPI or licence, certifying board ID, birth month/day, completion date,
credits). The CSV carries the same fields with a header plus the certificate
number and institution, for the provider's own records.
"""

from __future__ import annotations

from collections.abc import Iterable

from mentormemed.core.spreadsheet import csv_text, tsv_line
from mentormemed.training import conf
from mentormemed.training.models import CmeClaim

PARS_COLUMNS = [
    "Provider Activity ID",
    "Learner First Name",
    "Learner Last Name",
    "NPI",
    "Licensing State",
    "License Number",
    "Certifying Board ID",
    "Date of Birth Month",
    "Date of Birth Day",
    "Completion Date",
    "AMA PRA Category 1 Credits Earned",
]
IDENTIFIER_COLUMNS = {
    "NPI",
    "Licensing State",
    "License Number",
    "Certifying Board ID",
    "Date of Birth Month",
    "Date of Birth Day",
}
CSV_COLUMNS = [*PARS_COLUMNS, "Activity Title", "Certificate Number", "Institution", "E-mail", "Claimed At (UTC)"]


def activity_id(claim: CmeClaim) -> str:
    """Our own stable activity identifier: one activity per module version."""
    return f"{claim.version.module.slug}-v{claim.version.version}"


def _clean(value: str) -> str:
    # Tabs or line breaks inside a field would shift every later column in PARS.
    return " ".join(str(value).split())


def pars_row(claim: CmeClaim) -> list[str]:
    user = claim.membership.user
    return [
        activity_id(claim),
        _clean(user.first_name),
        _clean(user.last_name),
        claim.npi,
        claim.licence_state,
        _clean(claim.licence_number),
        _clean(claim.board_id),
        f"{claim.birth_month:02d}" if claim.birth_month else "",
        f"{claim.birth_day:02d}" if claim.birth_day else "",
        claim.completed_on.strftime("%m/%d/%Y"),
        conf.format_credits(claim.credits),
    ]


def pars_tsv(claims: Iterable[CmeClaim]) -> str:
    return "".join(tsv_line(pars_row(c)) for c in claims)


def claims_csv(claims: Iterable[CmeClaim], *, identifiers: bool = True) -> str:
    """All claims as CSV with a header. ``identifiers=False`` leaves out NPI, licence, board ID and
    birth month/day (institution admins get completions and credits, not reporting identifiers)."""
    columns = CSV_COLUMNS if identifiers else [c for c in CSV_COLUMNS if c not in IDENTIFIER_COLUMNS]
    keep = [CSV_COLUMNS.index(c) for c in columns]
    rows = (
        [
            *pars_row(c),
            c.version.module.title,
            c.certificate_number,
            c.membership.institution.name,
            c.membership.user.email,
            c.claimed_at.strftime("%Y-%m-%d %H:%M"),
        ]
        for c in claims
    )
    return csv_text(columns, ([row[i] for i in keep] for row in rows))
