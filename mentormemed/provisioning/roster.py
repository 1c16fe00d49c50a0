"""Scheduled roster sync for institutions without SCIM (R33): a full roster in, a diff out —
joiners, leavers and changes — shown before anything is applied; applying runs in the background
and leaves a report. The same parser reads an upload or a file fetched from the institution's
drop (docs/operations.md: "Roster drop")."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.institutions.models import EndReason, Institution, Invitation, Membership, MembershipStatus
from mentormemed.institutions.selectors import graduate_standing
from mentormemed.institutions.services import invitation_create, membership_set_status
from mentormemed.provisioning.models import RosterSync

COLUMNS = ("email", "role", "first_name", "last_name", "status")
ROLES = ("mentee", "mentor")
STATUSES = {"": "active", "active": "active", "graduated": "graduated", "left": "left"}
MAX_BYTES = 5 * 1024 * 1024
MASS_LEAVE_SHARE = 0.5  # a file that would end more than half the memberships is probably partial


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    role: str
    first_name: str = ""
    last_name: str = ""
    status: str = "active"


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def parse_roster(data: bytes) -> ParsedRoster:
    """Read a full roster (CSV, UTF-8): email, role, first_name, last_name, status.

    ``status`` is empty or "active" for current people; "graduated" or "left" marks a leaver
    explicitly (a graduate in good standing is invited to mentor, R20); anyone absent has left.
    Every bad line is reported with its number; a roster with errors is never applied.
    """
    result = ParsedRoster()
    if len(data) > MAX_BYTES:
        result.errors.append((0, "The file is larger than 5 MB; split it by role or remove unused columns."))
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((0, "The file is not UTF-8 text; save it as “CSV UTF-8”."))
        return result
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "email" not in header or "role" not in header:
        result.errors.append((1, "The first line must name the columns: email, role, first_name, last_name, status."))
        return result
    reader.fieldnames = header
    seen: set[tuple[str, str]] = set()
    for raw in reader:
        line = reader.line_num
        values = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        problem = _problem(values, seen)
        if problem:
            result.errors.append((line, problem))
            continue
        email, role = values["email"].lower(), values["role"].lower()
        seen.add((email, role))
        result.rows.append(
            RosterRow(line, email, role, values["first_name"], values["last_name"], STATUSES[values["status"].lower()])
        )
    if not result.rows and not result.errors:
        result.errors.append(
            (2, "The file has no people in it; a full roster is needed (an empty one would end everyone).")
        )
    return result


def _problem(values: dict, seen: set) -> str:
    if not values["email"]:
        return "The e-mail address is missing."
    try:
        validate_email(values["email"])
    except ValidationError:
        return f"“{values['email']}” is not a valid e-mail address."
    role = values["role"].lower()
    if role not in ROLES:
        return f"Role “{values['role']}” is not mentee or mentor."
    if values["status"].lower() not in STATUSES:
        return f"Status “{values['status']}” is not active, graduated or left."
    if (values["email"].lower(), role) in seen:
        return f"{values['email']} appears twice as {role}."
    return ""


# ------------------------------------------------------------------ the diff


def roster_diff(*, institution: Institution, rows: list[RosterRow]) -> dict:
    """Joiners (invited), leavers (memberships ended: graduated or left) and name changes, against
    the institution's open mentee and mentor memberships and open invitations. Admins are never touched."""
    members = {
        (m.user.email.lower(), m.role): m
        for m in Membership.objects.filter(institution=institution, role__in=ROLES)
        .exclude(status=MembershipStatus.ENDED)
        .select_related("user")
    }
    now = timezone.now()
    invited = set(
        Invitation.objects.filter(
            institution=institution, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).values_list("email", "role")
    )
    invited = {(email.lower(), role) for email, role in invited}
    current = {(r.email, r.role): r for r in rows if r.status == "active"}
    exits = {(r.email, r.role): r for r in rows if r.status != "active"}
    joiners, changes, pending = [], [], 0
    for key, row in current.items():
        member = members.get(key)
        if member is None:
            if key in invited:
                pending += 1
            else:
                joiners.append(asdict(row))
            continue
        wanted = (row.first_name or member.user.first_name, row.last_name or member.user.last_name)
        if wanted != (member.user.first_name, member.user.last_name):
            changes.append(
                {
                    "membership": member.pk,
                    "email": key[0],
                    "role": key[1],
                    "from": [member.user.first_name, member.user.last_name],
                    "to": list(wanted),
                }
            )
    leavers = []
    for key, member in members.items():
        if key in current:
            continue
        reason = exits[key].status if key in exits else EndReason.LEFT
        leavers.append(
            {
                "membership": member.pk,
                "email": key[0],
                "role": key[1],
                "name": member.user.display_name,
                "reason": str(reason),
            }
        )
    warnings = []
    if members and len(leavers) > MASS_LEAVE_SHARE * len(members):
        warnings.append(
            f"This file would end {len(leavers)} of {len(members)} memberships. Check that it is the full roster, "
            "not one program or one class."
        )
    unchanged = len(current) - len(joiners) - len(changes) - pending
    return {
        "joiners": sorted(joiners, key=lambda j: (j["role"], j["email"])),
        "leavers": sorted(leavers, key=lambda j: (j["role"], j["email"])),
        "changes": changes,
        "unchanged": unchanged,
        "pending": pending,
        "warnings": warnings,
    }


# ------------------------------------------------------------------ services


@transaction.atomic
def roster_sync_preview(
    *, acting: Actor, institution: Institution, data: bytes, file_name: str = "", source: str = "upload"
):
    """Parse and diff a full roster; nothing changes until it is confirmed. Raises with every bad line."""
    actor = acting.user
    parsed = parse_roster(data)
    if parsed.errors:
        lines = [f"Line {line}: {message}" if line else message for line, message in parsed.errors[:20]]
        raise ValidationError(lines)
    sync = RosterSync.objects.create(
        institution=institution,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        file_name=file_name[:200],
        source=source[:200],
        diff=roster_diff(institution=institution, rows=parsed.rows),
    )
    audit(
        acting=acting,
        action="roster_sync.preview",
        obj=sync,
        institution=institution,
        actor_role="admin",
        detail={k: len(v) for k, v in sync.diff.items() if isinstance(v, list)},
    )
    return sync


@transaction.atomic
def roster_sync_confirm(*, acting: Actor, sync: RosterSync) -> RosterSync:
    """Apply the previewed diff in the background (once: a second confirm changes nothing)."""
    claimed = RosterSync.objects.filter(pk=sync.pk, status=RosterSync.Status.PREVIEW).update(
        status=RosterSync.Status.QUEUED
    )
    if not claimed:
        raise ValidationError(gettext("This roster sync was already applied or discarded; upload the roster again."))
    audit(acting=acting, action="roster_sync.confirm", obj=sync, institution=sync.institution, actor_role="admin")
    from mentormemed.provisioning.tasks import apply_roster_sync

    pk = sync.pk
    transaction.on_commit(lambda: apply_roster_sync.enqueue(sync_id=pk), robust=True)
    sync.refresh_from_db()
    return sync


@transaction.atomic
def roster_sync_discard(*, acting: Actor, sync: RosterSync) -> bool:
    return bool(
        RosterSync.objects.filter(pk=sync.pk, status=RosterSync.Status.PREVIEW).update(
            status=RosterSync.Status.DISCARDED
        )
    )


def roster_sync_apply(*, sync_id: int) -> dict:
    """Carry out a confirmed diff: invite joiners, end leavers' memberships, update names. Each
    person is applied on their own, so one failure is reported without undoing the others."""
    sync = RosterSync.objects.select_related("institution", "uploaded_by").get(pk=sync_id)
    if sync.status != RosterSync.Status.QUEUED:
        return sync.report
    actor, institution = sync.uploaded_by, sync.institution
    report = {"invited": 0, "ended": 0, "graduated": 0, "renamed": 0, "skipped": 0, "errors": []}
    for joiner in sync.diff.get("joiners", []):
        try:
            invitation_create(
                acting=Actor.for_user(actor),
                institution=institution,
                email=joiner["email"],
                role=joiner["role"],
                first_name=joiner["first_name"],
                last_name=joiner["last_name"],
            )
            report["invited"] += 1
        except ValidationError as exc:
            report["errors"].append(f"{joiner['email']}: {' '.join(exc.messages)}")
    for leaver in sync.diff.get("leavers", []):
        membership = Membership.objects.filter(pk=leaver["membership"], institution=institution).first()
        if membership is None or membership.status == MembershipStatus.ENDED:
            report["skipped"] += 1
            continue
        reason = leaver["reason"]
        if reason == EndReason.GRADUATED and graduate_standing(membership):
            reason = EndReason.LEFT  # graduated, but not in good standing: not invited to mentor (R20)
        try:
            membership_set_status(
                acting=Actor.for_user(actor),
                membership=membership,
                status=MembershipStatus.ENDED,
                end_reason=reason,
                note="Not on the institution's roster any more.",
            )
            report["graduated" if reason == EndReason.GRADUATED else "ended"] += 1
        except ValidationError as exc:
            report["errors"].append(f"{leaver['email']}: {' '.join(exc.messages)}")
    for change in sync.diff.get("changes", []):
        membership = Membership.objects.filter(pk=change["membership"], institution=institution).select_related("user")
        membership = membership.first()
        if membership is None:
            report["skipped"] += 1
            continue
        user = membership.user
        user.first_name, user.last_name = change["to"]
        user.save(update_fields=["first_name", "last_name"])
        report["renamed"] += 1
    RosterSync.objects.filter(pk=sync.pk).update(
        status=RosterSync.Status.FAILED
        if report["errors"] and not any(report[k] for k in ("invited", "ended", "graduated", "renamed"))
        else RosterSync.Status.APPLIED,
        report=report,
        applied_at=timezone.now(),
    )
    audit(
        actor=actor,
        action="roster_sync.applied",
        obj=sync,
        institution=institution,
        actor_role="admin",
        detail={k: v for k, v in report.items() if k != "errors"} | {"errors": len(report["errors"])},
    )
    return report
