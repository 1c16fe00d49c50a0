"""Every write about institutions, subscriptions, memberships and invitations."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from mentormemed.accounts.models import ReviewStatus, Role
from mentormemed.core.access import Actor
from mentormemed.core.audit import audit, audit_many
from mentormemed.core.clock import platform_today
from mentormemed.core.conf import product
from mentormemed.core.tokens import hash_token, new_token
from mentormemed.institutions import signals
from mentormemed.institutions.models import (
    EndReason,
    Institution,
    Invitation,
    Membership,
    MembershipStatus,
    MentorCriterion,
    MentorCriterionAttestation,
    PriceBand,
    RosterImport,
    Subscription,
)
from mentormemed.institutions.selectors import band_for_headcount, graduate_standing
from mentormemed.notifications.emails import queue_email

if TYPE_CHECKING:
    from mentormemed.accounts.models import MenteeEligibility
    from mentormemed.profiles.models import IdentityOption

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- institutions


@transaction.atomic
def institution_save(
    *,
    acting: Actor,
    institution: Institution,
    urim_groups: Iterable[IdentityOption] | None = None,
    criteria_text: str | None = None,
) -> Institution:
    """Create or update an institution (staff). ``criteria_text``: one criterion per line."""
    creating = institution.pk is None
    institution.full_clean()
    institution.save()
    if urim_groups is not None:
        institution.urim_groups.set(urim_groups)
    if criteria_text is not None:
        criteria_set(acting=acting, institution=institution, lines=criteria_text.splitlines(), _audit=False)
    audit(
        acting=acting,
        action="institution.create" if creating else "institution.update",
        obj=institution,
        institution=institution,
    )
    return institution


CRITERION_MAX_LENGTH = cast(int, MentorCriterion._meta.get_field("text").max_length)  # a CharField: set
CRITERIA_MAX = 20


def criteria_lines(lines: list[str]) -> list[str]:
    """The criteria a text holds (one per line), or a ValidationError saying what to shorten."""
    wanted = [line.strip() for line in lines if line.strip()]
    too_long = [n for n, text in enumerate(wanted, 1) if len(text) > CRITERION_MAX_LENGTH]
    if too_long:
        raise ValidationError(
            gettext(
                "Criterion %(number)s is longer than %(most)s characters; "
                "keep each one to a sentence mentors can attest."
            )
            % {"number": too_long[0], "most": CRITERION_MAX_LENGTH}
        )
    if len(wanted) > CRITERIA_MAX:
        raise ValidationError(
            gettext("At most %(most)s criteria; this text has %(lines)s lines.")
            % {"most": CRITERIA_MAX, "lines": len(wanted)}
        )
    return wanted


@transaction.atomic
def criteria_set(*, acting: Actor, institution: Institution, lines: list[str], _audit: bool = True) -> None:
    """Make the active criteria exactly ``lines`` (kept criteria keep their attestations)."""
    wanted = criteria_lines(lines)
    existing = {c.text: c for c in institution.criteria.all()}
    for position, text in enumerate(wanted):
        criterion = existing.pop(text, None) or MentorCriterion(institution=institution, text=text)
        criterion.position = position
        criterion.active = True
        criterion.save()
    for leftover in existing.values():
        leftover.active = False
        leftover.save(update_fields=["active"])
    if _audit:
        audit(
            acting=acting,
            action="institution.criteria_update",
            obj=institution,
            institution=institution,
            detail={"criteria": wanted},
        )


# ------------------------------------------------------------------ price bands


@transaction.atomic
def price_band_save(*, acting: Actor, band: PriceBand) -> PriceBand:
    band.full_clean()
    overlapping = [b for b in PriceBand.objects.exclude(pk=band.pk) if _overlaps(b, band)]
    if overlapping:
        raise ValidationError(gettext("This range overlaps the band “%(name)s”.") % {"name": overlapping[0].name})
    creating = band.pk is None
    band.save()
    audit(
        acting=acting,
        action="price_band.create" if creating else "price_band.update",
        obj=band,
        detail={"fee": str(band.annual_fee), "min": band.min_headcount, "max": band.max_headcount},
    )
    return band


def _overlaps(a: PriceBand, b: PriceBand) -> bool:
    a_max = a.max_headcount if a.max_headcount is not None else 10**9
    b_max = b.max_headcount if b.max_headcount is not None else 10**9
    return a.min_headcount <= b_max and b.min_headcount <= a_max


# ----------------------------------------------------------------- subscriptions


def _next_invoice_number(year: int) -> str:
    prefix = f"MMM-{year}-"
    last = (
        Subscription.objects.filter(invoice_number__startswith=prefix)
        .order_by("-invoice_number")
        .values_list("invoice_number", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


OVERLAP_CONSTRAINT = "subscription_no_overlap"  # migration 0005: exclusion constraint / SQLite triggers
INVOICE_CONSTRAINT = "invoice_number"
OVERLAP_MESSAGE = gettext_lazy("This term overlaps an existing subscription of the institution.")  # worded when shown


def _lock_institution(institution: Institution) -> None:
    """Serialise writes about one institution: a row lock on PostgreSQL; on SQLite, taking the
    database's write lock now (a no-op UPDATE) so the check that follows cannot go stale."""
    rows = Institution.objects.filter(pk=institution.pk)
    if transaction.get_connection().vendor == "sqlite":
        rows.update(id=institution.pk)
    else:
        list(rows.select_for_update().values_list("pk", flat=True))


def _violated_constraint(exc: IntegrityError) -> str:
    """Which rule an IntegrityError broke: the overlap rule, the invoice number, or "" (something else)."""
    diag = getattr(exc.__cause__, "diag", None)
    name = (getattr(diag, "constraint_name", None) or "") if diag is not None else ""
    text = f"{name} {exc}"
    if OVERLAP_CONSTRAINT in text:
        return OVERLAP_CONSTRAINT
    if "invoice_number" in text:
        return INVOICE_CONSTRAINT
    return ""


@transaction.atomic
def subscription_start(
    *,
    acting: Actor,
    institution: Institution,
    term_start: dt.date,
    term_end: dt.date | None = None,
    band: PriceBand | None = None,
    fee: Decimal | None = None,
    paid_on: dt.date | None = None,
) -> Subscription:
    """Start a term. Band follows the headcount unless given; the fee is the band's unless given."""
    actor = acting.person
    band = band or band_for_headcount(institution.eligible_headcount)
    if band is None:
        raise ValidationError(gettext("No price band covers this institution's headcount; add one first."))
    term_end = term_end or (term_start.replace(year=term_start.year + 1) - dt.timedelta(days=1))
    if term_end <= term_start:
        raise ValidationError(gettext("The term must end after it starts."))
    _lock_institution(institution)  # two staff starting terms at once: the second waits, then sees the first
    overlapping = institution.subscriptions.filter(
        term_start__lte=term_end, term_end__gte=term_start, ended_on__isnull=True
    )
    if overlapping.exists():
        raise ValidationError(OVERLAP_MESSAGE)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    institution=institution,
                    band=band,
                    band_name=band.name,
                    fee=band.annual_fee if fee is None else fee,
                    term_start=term_start,
                    term_end=term_end,
                    invoice_number=_next_invoice_number(term_start.year),
                    invoice_due=term_start + dt.timedelta(days=30),
                    paid_on=paid_on,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
            break
        except IntegrityError as exc:
            violated = _violated_constraint(exc)
            if violated == OVERLAP_CONSTRAINT:  # the database holds the rule even if the check above raced
                raise ValidationError(OVERLAP_MESSAGE) from exc
            if violated != INVOICE_CONSTRAINT:
                raise
            continue  # two staff issued the same number at once: take the next
    else:
        raise ValidationError(gettext("Could not allocate an invoice number; try again."))
    if not institution.mentor_commitment:
        institution.mentor_commitment = band.mentor_commitment
        institution.save(update_fields=["mentor_commitment"])
    audit(
        acting=acting,
        action="subscription.start",
        obj=subscription,
        institution=institution,
        detail={"band": band.name, "fee": str(subscription.fee), "invoice": subscription.invoice_number},
    )
    # cached facet counts: this institution's mentors may become visible (matching drops them)
    signals.subscription_changed.send(sender=Subscription, institution=institution)
    return subscription


def subscription_renew(*, acting: Actor, subscription: Subscription) -> Subscription:
    """The next one-year term, priced from today's band for the current headcount."""
    start = subscription.term_end + dt.timedelta(days=1)
    return subscription_start(acting=acting, institution=subscription.institution, term_start=start)


RENEWAL_OPENS_DAYS = 90  # an admin may renew this long before the term ends (or any time after)


class RenewalOffer(TypedDict):
    after: Subscription  # the term a renewal follows
    start: dt.date
    end: dt.date
    band: PriceBand
    fee: Decimal


def renewal_offer(institution: Institution) -> RenewalOffer | None:
    """What renewing now would start (admins renew their own institution; R1, R3), or None."""
    latest = institution.subscriptions.filter(ended_on__isnull=True).order_by("-term_end").first()
    if latest is None:
        return None
    today = platform_today()
    if latest.term_end > today + dt.timedelta(days=RENEWAL_OPENS_DAYS):
        return None
    start = max(latest.term_end + dt.timedelta(days=1), today)
    band = band_for_headcount(institution.eligible_headcount)
    if band is None:
        return None
    end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
    return {"after": latest, "start": start, "end": end, "band": band, "fee": band.annual_fee}


@transaction.atomic
def subscription_renew_by_admin(*, acting: Actor, institution: Institution) -> Subscription:
    """The institution's admin renews for one year at today's band: access resumes at once (a lapsed
    term restarts today, a running one continues without a gap) and the invoice is due in 30 days."""
    offer = renewal_offer(institution)
    if offer is None:
        raise ValidationError(
            gettext("Renewal opens %(RENEWAL_OPENS_DAYS)s days before the current term ends; nothing to renew yet.")
            % {"RENEWAL_OPENS_DAYS": RENEWAL_OPENS_DAYS}
        )
    subscription = subscription_start(acting=acting, institution=institution, term_start=offer["start"])
    audit(
        acting=acting,
        action="subscription.renew",
        obj=subscription,
        institution=institution,
        actor_role="admin",
        detail={
            "after": offer["after"].invoice_number,
            "fee": str(subscription.fee),
            "invoice": subscription.invoice_number,
        },
    )
    return subscription


@transaction.atomic
def subscription_end(*, acting: Actor, subscription: Subscription, on: dt.date | None = None) -> Subscription:
    """End early: members lose access from ``on``; nothing is deleted (R1)."""
    on = on or platform_today()
    if subscription.ended_on:
        raise ValidationError(gettext("This subscription has already been ended."))
    if on <= subscription.term_start:
        on = subscription.term_start
    subscription.ended_on = on
    subscription.save(update_fields=["ended_on"])
    audit(
        acting=acting,
        action="subscription.end",
        obj=subscription,
        institution=subscription.institution,
        detail={"ended_on": on.isoformat()},
    )
    # cached facet counts: this institution's mentors may disappear (matching drops them)
    signals.subscription_changed.send(sender=Subscription, institution=subscription.institution)
    return subscription


@transaction.atomic
def subscription_record_payment(*, acting: Actor, subscription: Subscription, paid_on: dt.date) -> Subscription:
    subscription.paid_on = paid_on
    subscription.save(update_fields=["paid_on"])
    audit(
        acting=acting,
        action="subscription.paid",
        obj=subscription,
        institution=subscription.institution,
        detail={"paid_on": paid_on.isoformat()},
    )
    return subscription


# ------------------------------------------------------------------- invitations


@dataclass
class InvitationResult:
    invitation: Invitation
    token: str

    @property
    def path(self) -> str:
        return reverse("accounts:invitation", kwargs={"token": self.token})


def _validate_invitee(institution: Institution, email: str, role: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(gettext("Not a valid e-mail address.")) from exc
    if role not in Role.values:
        raise ValidationError(gettext("Unknown role “%(role)s”: use mentee, mentor or admin.") % {"role": role})
    if (
        Membership.objects.filter(institution=institution, user__email__iexact=email, role=role)
        .exclude(status=MembershipStatus.ENDED)
        .exists()
    ):
        raise ValidationError(
            gettext("%(email)s is already a %(role)s of this institution.") % {"email": email, "role": role}
        )
    return email


@transaction.atomic
def invitation_create(
    *,
    acting: Actor,
    institution: Institution,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    send: bool = True,
) -> InvitationResult:
    """Invite one person; earlier open invitations for the same address and role are revoked."""
    actor = acting.person
    email = _validate_invitee(institution, email, role)
    now = timezone.now()
    Invitation.objects.filter(
        institution=institution, email=email, role=role, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = new_token()
    invitation = Invitation.objects.create(
        institution=institution,
        email=email,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        token_hash=hash_token(token),
        invited_by=actor if getattr(actor, "pk", None) else None,
        created_at=now,
        expires_at=now + dt.timedelta(days=product.invitation_days),
    )
    result = InvitationResult(invitation, token)
    audit(acting=acting, action="invitation.create", obj=invitation, institution=institution, detail={"role": role})
    if send:
        queue_email(
            to=[email],
            template_prefix="institutions/email/invitation",
            context={"invitation": invitation, "url": settings.SITE_URL + result.path},
        )
    return result


@dataclass
class RosterResult:
    """What checking an uploaded roster found: every bad line, or the import waiting to be confirmed."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    roster: RosterImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


ROSTER_COLUMNS = ("email", "role", "first_name", "last_name")
MAX_ROSTER_BYTES = 2 * 1024 * 1024
ROSTER_BATCH = 500  # invitations, audit rows and e-mails written per transaction
NAME_MAX = cast(int, Invitation._meta.get_field("first_name").max_length)  # CharFields: set
EMAIL_MAX = cast(int, Invitation._meta.get_field("email").max_length)


def roster_check(*, acting: Actor, institution: Institution, data: bytes, file_name: str = "") -> RosterResult:
    """Check a whole CSV roster (email, role, first_name, last_name) before anything is invited.

    Any bad row: every one is reported with its line number and nothing is written. Otherwise the
    checked rows are kept as a RosterImport waiting for the admin's confirmation (docs/operations.md,
    "Roster import")."""
    actor = acting.person
    result = RosterResult()
    rows = _parse_roster(data, result)
    if result.errors:
        return result
    with transaction.atomic():
        result.roster = RosterImport.objects.create(
            institution=institution,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            file_name=file_name[:200],
            rows=[[line, row["email"], row["role"], row["first_name"], row["last_name"]] for line, row in rows],
            total=len(rows),
        )
        audit(
            acting=acting,
            action="roster_import.upload",
            obj=result.roster,
            institution=institution,
            actor_role="admin",
            detail={"rows": len(rows), "file": file_name[:200]},
        )
    return result


def roster_already_members(roster: RosterImport) -> int:
    """How many checked rows name someone who already holds that role here (they will be skipped)."""
    return sum(
        len(_existing_members(roster.institution, role, [r[1] for r in roster.rows if r[2] == role]))
        for role in (Role.MENTEE, Role.MENTOR)
    )


@transaction.atomic
def roster_confirm(*, acting: Actor, roster: RosterImport) -> RosterImport:
    """Start inviting in the background (once: a second confirm changes nothing)."""
    claimed = RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.READY).update(
        status=RosterImport.Status.QUEUED
    )
    if not claimed:
        raise ValidationError(gettext("This roster was already confirmed or discarded; upload it again to start over."))
    audit(acting=acting, action="roster_import.confirm", obj=roster, institution=roster.institution, actor_role="admin")
    from mentormemed.institutions.tasks import run_roster_import

    pk = roster.pk
    transaction.on_commit(lambda: run_roster_import.enqueue(import_id=pk), robust=True)
    roster.refresh_from_db()
    return roster


@transaction.atomic
def roster_discard(*, acting: Actor, roster: RosterImport) -> bool:
    discarded = RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.READY).update(
        status=RosterImport.Status.DISCARDED, rows=[]
    )
    if discarded:
        audit(acting=acting, action="roster_import.discard", obj=roster, institution=roster.institution)
    return bool(discarded)


def roster_import_run(*, import_id: int) -> RosterImport:
    """The background work of a confirmed roster: ROSTER_BATCH rows per transaction, each batch
    writing its invitations and audit rows with bulk_create, queueing every invitation e-mail and
    moving the progress counters — all or nothing for that batch. The import row is locked for
    each batch, so a second runner (a retried task) waits and then carries on where the first
    stopped; nothing is invited twice. A batch that fails is retried row by row, so one bad row
    is reported as failed and the rest are invited."""
    started = RosterImport.objects.filter(
        pk=import_id, status__in=[RosterImport.Status.QUEUED, RosterImport.Status.RUNNING]
    ).update(status=RosterImport.Status.RUNNING, started_at=timezone.now())
    if not started:
        return RosterImport.objects.get(pk=import_id)
    while _roster_import_batch(import_id):
        pass
    roster = RosterImport.objects.select_related("institution", "uploaded_by").get(pk=import_id)
    if roster.status == RosterImport.Status.RUNNING:
        with transaction.atomic():
            roster.status = (
                RosterImport.Status.FAILED if roster.failed and not roster.created else RosterImport.Status.DONE
            )
            roster.finished_at = timezone.now()
            roster.save(update_fields=["status", "finished_at"])
            audit(
                actor=roster.uploaded_by,
                action="roster_import.finish",
                obj=roster,
                institution=roster.institution,
                actor_role="admin",
                detail={"created": roster.created, "skipped": roster.skipped, "failed": roster.failed},
            )
    return roster


@transaction.atomic
def _roster_import_batch(import_id: int) -> bool:
    """Write the next batch; False once there is nothing left (or the import is no longer running)."""
    roster = (
        RosterImport.objects.select_for_update(of=("self",))
        .select_related("institution", "uploaded_by")
        .get(pk=import_id)
    )
    chunk = roster.rows[roster.processed : roster.processed + ROSTER_BATCH]
    if roster.status != RosterImport.Status.RUNNING or not chunk:
        return False
    try:
        with transaction.atomic():
            created, skipped = _invite_rows(roster, chunk)
    except (DatabaseError, ValidationError):
        created = skipped = 0
        for row in chunk:  # isolate the bad row(s): each on its own savepoint
            try:
                with transaction.atomic():
                    one_created, one_skipped = _invite_rows(roster, [row])
            except (DatabaseError, ValidationError) as exc:
                roster.failed += 1
                roster.errors.append([row[0], _reason(exc)])
            else:
                created += one_created
                skipped += one_skipped
    roster.processed += len(chunk)
    roster.created += created
    roster.skipped += skipped
    roster.save(update_fields=["processed", "created", "skipped", "failed", "errors"])
    return True


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return "Could not be saved; invite this person on their own."


def _existing_members(institution: Institution, role: str, emails: list[str]) -> set[str]:
    if not emails:
        return set()
    return set(
        Membership.objects.filter(institution=institution, role=role)
        .exclude(status=MembershipStatus.ENDED)
        .annotate(address=Lower("user__email"))
        .filter(address__in=[e.lower() for e in emails])
        .values_list("address", flat=True)
    )


def _invite_rows(roster: RosterImport, rows: list[list[Any]]) -> tuple[int, int]:  # JSON rows
    """Invite ``rows`` ([line, email, role, first, last]) in bulk; returns (created, skipped)."""
    institution, actor = roster.institution, roster.uploaded_by
    now = timezone.now()
    expires = now + dt.timedelta(days=product.invitation_days)
    wanted, skipped = [], 0
    for role in (Role.MENTEE, Role.MENTOR):
        of_role = [r for r in rows if r[2] == role]
        members = _existing_members(institution, role, [r[1] for r in of_role])
        fresh = [r for r in of_role if r[1].lower() not in members]
        skipped += len(of_role) - len(fresh)
        if fresh:  # as invitation_create: an earlier open invitation for the address and role is revoked
            Invitation.objects.filter(
                institution=institution,
                role=role,
                email__in=[r[1] for r in fresh],
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            ).update(revoked_at=now)
        wanted += fresh
    tokens = [new_token() for _ in wanted]
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                institution=institution,
                email=email,
                role=role,
                first_name=first,
                last_name=last,
                token_hash=hash_token(token),
                invited_by=actor,
                created_at=now,
                expires_at=expires,
            )
            for (_line, email, role, first, last), token in zip(wanted, tokens, strict=True)
        ]
    )
    audit_many(
        actor=actor,
        action="invitation.create",
        objs=invitations,
        institution=institution,
        actor_role="admin",
        detail=lambda invitation: {"role": invitation.role, "roster_import": roster.pk},
    )
    for invitation, token in zip(invitations, tokens, strict=True):
        queue_email(
            to=[invitation.email],
            template_prefix="institutions/email/invitation",
            context={"invitation": invitation, "url": settings.SITE_URL + InvitationResult(invitation, token).path},
        )
    return len(invitations), skipped


def _parse_roster(data: bytes, result: RosterResult) -> list[tuple[int, dict[str, str]]]:
    if len(data) > MAX_ROSTER_BYTES:
        result.errors.append((0, "The file is larger than 2 MB."))
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((0, "The file is not UTF-8 text; save it as “CSV UTF-8”."))
        return []
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        result.errors.append((1, f"The first line cannot be read as CSV: {exc}."))
        return []
    if "email" not in header or "role" not in header:
        result.errors.append((1, "The first line must name the columns: email, role, first_name, last_name."))
        return []
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    seen: set[tuple[str, str]] = set()
    try:
        for row in reader:
            line = reader.line_num
            clean = {k: (row.get(k) or "").strip() for k in ROSTER_COLUMNS}
            clean["role"] = clean["role"].lower()
            clean["email"] = clean["email"].lower()
            reason = _roster_row_problem(clean, seen)
            if reason:
                result.errors.append((line, reason))
            else:
                seen.add((clean["email"], clean["role"]))
                rows.append((line, clean))
    except csv.Error as exc:
        result.errors.append((reader.line_num, f"This line cannot be read as CSV: {exc}."))
    if not rows and not result.errors:
        result.errors.append((2, "The file has no rows to import."))
    return rows


def _roster_row_problem(row: dict[str, str], seen: set[tuple[str, str]]) -> str:
    if not row["email"]:
        return "The e-mail address is missing."
    if len(row["email"]) > EMAIL_MAX:
        return f"The e-mail address is longer than {EMAIL_MAX} characters."
    try:
        validate_email(row["email"])
    except ValidationError:
        return f"“{row['email']}” is not a valid e-mail address."
    if row["role"] not in (Role.MENTEE, Role.MENTOR):
        return f"Role “{row['role']}” is not mentee or mentor."
    if (row["email"], row["role"]) in seen:
        return f"{row['email']} appears twice as {row['role']}."
    if len(row["first_name"]) > NAME_MAX or len(row["last_name"]) > NAME_MAX:
        return f"A name is longer than {NAME_MAX} characters."
    return ""


@transaction.atomic
def invitation_revoke(*, acting: Actor, invitation: Invitation) -> bool:
    """Withdraw an open invitation; its link stops working. Returns False if it was no longer open."""
    revoked = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit(acting=acting, action="invitation.revoke", obj=invitation, institution=invitation.institution)
    return bool(revoked)


def invitation_resend(*, acting: Actor, invitation: Invitation) -> InvitationResult:
    """A fresh link (new token, new expiry) to the same person; the old link stops working."""
    if invitation.accepted_at:
        raise ValidationError(gettext("This invitation has already been accepted."))
    return invitation_create(
        acting=acting,
        institution=invitation.institution,
        email=invitation.email,
        role=invitation.role,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
    )


class InvitationError(Exception):
    pass


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("institution").filter(token_hash=hash_token(token)).first()


def invitation_problem(invitation: Invitation | None) -> str:
    """A plain sentence if the invitation cannot be used, else ''."""
    if invitation is None:
        return "This invitation link is not valid. Check that you copied the whole link."
    return {
        "accepted": "This invitation has already been used. Sign in instead.",
        "revoked": "This invitation was replaced by a newer one. Use the link in the latest e-mail.",
        "expired": "This invitation has expired. Ask your program administrator for a new one.",
    }.get(invitation.state, "")


@transaction.atomic
def invitation_accept(*, token: str, acting: Actor) -> Membership:
    """Turn an open invitation into a membership for ``user`` — exactly once.

    The conditional UPDATE claims the invitation, so two tabs (or a replayed
    link) cannot both accept it.
    """
    user = acting.person
    assert user is not None  # a signed-in person accepts
    invitation = invitation_by_token(token)
    problem = invitation_problem(invitation)
    if problem:
        raise InvitationError(problem)
    assert invitation is not None  # a missing invitation is a problem (above)
    if invitation.email.lower() != user.email.lower():
        raise InvitationError("This invitation was sent to a different e-mail address.")
    return invitation_claim(invitation=invitation, acting=acting)


@transaction.atomic
def invitation_claim(*, invitation: Invitation, acting: Actor) -> Membership:
    """Accept an open invitation for ``user`` whose address the caller has verified (the e-mailed
    link, or a campus IdP asserting it) — exactly once."""
    user = acting.person
    assert user is not None  # the person the invitation is for, signed in
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not claimed:
        raise InvitationError("This invitation has already been used. Sign in instead.")
    membership, _ = Membership.objects.exclude(status=MembershipStatus.ENDED).get_or_create(
        user=user,
        institution=invitation.institution,
        role=invitation.role,
        defaults={"created_at": now},
    )
    if not user.first_name and invitation.first_name:
        user.first_name, user.last_name = invitation.first_name, invitation.last_name
        user.time_zone = invitation.institution.time_zone
        user.save(update_fields=["first_name", "last_name", "time_zone"])
    audit(
        acting=acting,
        action="invitation.accept",
        obj=invitation,
        institution=invitation.institution,
        actor_role=invitation.role,
    )
    return membership


# ------------------------------------------------------------------ memberships


ALLOWED_STATUS_CHANGES: dict[str, set[MembershipStatus]] = {
    MembershipStatus.ACTIVE: {MembershipStatus.SUSPENDED, MembershipStatus.ENDED},
    MembershipStatus.SUSPENDED: {MembershipStatus.ACTIVE, MembershipStatus.ENDED},
    MembershipStatus.ENDED: set(),
}


@transaction.atomic
def membership_set_status(
    *,
    acting: Actor,
    membership: Membership,
    status: str,
    note: str = "",
    end_reason: str = "",
    actor_role: str = "admin",
) -> Membership:
    """Suspend, reinstate or end a membership. Ending is final; nothing is deleted.

    ``end_reason`` says why it ended (default: left); only "graduated" leads to the R20 invitation.
    """
    actor = acting.person
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if status not in ALLOWED_STATUS_CHANGES[membership.status]:
        raise ValidationError(
            gettext("A %(lower)s membership cannot become %(status)s.")
            % {"lower": membership.get_status_display().lower(), "status": status}
        )
    if membership.user_id == getattr(actor, "pk", None) and membership.role == Role.ADMIN:
        raise ValidationError(gettext("You cannot change your own admin membership."))
    end_reason = end_reason or EndReason.LEFT
    if status == MembershipStatus.ENDED and end_reason not in EndReason.values:
        raise ValidationError(gettext("Say why the membership ends: graduated, left or removed."))
    if status == MembershipStatus.ENDED and end_reason == EndReason.GRADUATED:
        why_not = graduate_standing(membership)
        if why_not:
            raise ValidationError(
                gettext("Only a graduate in good standing ends as graduated and is invited to mentor: %(why)s")
                % {"why": why_not}
            )
    previous = membership.status
    membership.status = status
    membership.status_note = note.strip()
    if status == MembershipStatus.ENDED:
        membership.ended_at = timezone.now()
        membership.end_reason = end_reason
    membership.save(update_fields=["status", "status_note", "ended_at", "end_reason"])
    # search reads the status from the mentor profile: profiles copies it there
    signals.membership_status_changed.send(sender=Membership, membership=membership)
    audit(
        acting=acting,
        action=f"membership.{status}",
        obj=membership,
        institution=membership.institution,
        actor_role=actor_role,
        detail={"from": previous, "note": note.strip(), "reason": membership.end_reason},
    )
    if status == MembershipStatus.ENDED and membership.role == Role.MENTEE and end_reason == EndReason.GRADUATED:
        _offer_mentoring(membership)
    return membership


def _offer_mentoring(membership: Membership) -> None:
    """R20: the service that ends a mentee's membership as "graduated" has the offer made (once): it sends
    ``mentee_graduated``, which evaluations (above institutions) answers with the offer — not a post_save
    hook, which a queryset ``.update()`` or ``bulk_update`` would bypass. In the same
    transaction as the change (the offer row and its e-mail in the outbox), so a crash right after
    commit cannot lose it; in a savepoint, so an offer that fails is logged and the change still stands."""
    try:
        with transaction.atomic():
            signals.mentee_graduated.send(sender=Membership, membership=membership)  # evaluations makes the offer
    except Exception:
        log.exception("Could not offer mentoring to graduate %s", membership.pk)


@transaction.atomic
def eligibility_review(*, acting: Actor, membership: Membership, decision: str, note: str = "") -> MenteeEligibility:
    """R4: the admin confirms or rejects a mentee's attested eligibility."""
    actor = acting.person
    if decision not in (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED):
        raise ValidationError(gettext("Choose confirm or reject."))
    eligibility: MenteeEligibility | None = getattr(membership, "eligibility", None)
    if eligibility is None:
        raise ValidationError(gettext("This mentee has not attested eligibility yet."))
    if decision == ReviewStatus.REJECTED and not note.strip():
        raise ValidationError(gettext("Say why, so the mentee knows what to do next."))
    eligibility.status = decision
    eligibility.review_note = note.strip()
    eligibility.reviewed_by = actor
    eligibility.reviewed_at = timezone.now()
    eligibility.save()
    audit(
        acting=acting,
        action=f"eligibility.{decision}",
        obj=membership,
        institution=membership.institution,
        actor_role="admin",
        detail={"note": note.strip()},
    )
    return eligibility


@transaction.atomic
def criteria_review(*, acting: Actor, membership: Membership, decision: str) -> int:
    """R5: the admin confirms (or rejects) every criterion the mentor attested."""
    actor = acting.person
    if decision not in (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED):
        raise ValidationError(gettext("Choose confirm or reject."))
    attestations = MentorCriterionAttestation.objects.filter(membership=membership)
    if not attestations.exists():
        raise ValidationError(gettext("This mentor has not attested the criteria yet."))
    count = attestations.update(status=decision, reviewed_by=actor, reviewed_at=timezone.now())
    audit(
        acting=acting,
        action=f"criteria.{decision}",
        obj=membership,
        institution=membership.institution,
        actor_role="admin",
    )
    return count
