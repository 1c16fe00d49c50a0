"""Contract end (R40): staff close out a lapsed institution. The export is handed over; after the
grace period its personal data is destroyed (erasure.py) and a certificate of destruction issued.

R1's "nothing is deleted" holds during a lapse: only this close-out, started by staff on an
institution with no current or future term, ever destroys an institution's personal data.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.clock import platform_today
from mentormemed.lifecycle import erasure, exports
from mentormemed.lifecycle.models import CloseOut, DataExport, RetentionSchedule
from mentormemed.notifications.services import day

OPEN_STATES = (CloseOut.State.HANDOVER, CloseOut.State.GRACE, CloseOut.State.DESTROYING)


def schedule_for(institution) -> RetentionSchedule:
    """The institution's schedule, or the defaults (unsaved) when it never set one."""
    try:
        return institution.retention_schedule
    except RetentionSchedule.DoesNotExist:
        return RetentionSchedule(institution=institution)


def contract_end(institution) -> dt.date | None:
    """The last day a term covered, when no term covers today or later; else None (not lapsed)."""
    from mentormemed.institutions.models import Subscription

    today = platform_today()
    terms = list(Subscription.objects.filter(institution=institution))
    if not terms:
        return None
    last_days = [min(s.term_end, s.ended_on - dt.timedelta(days=1)) if s.ended_on else s.term_end for s in terms]
    if any(day >= today for day in last_days):
        return None
    return max(last_days)


def _tell_admins(institution, *, title, body, url: str = "/manage/data/") -> None:
    """``title`` and ``body``: translations, read in each admin's language."""
    from mentormemed.institutions.models import Membership, MembershipStatus
    from mentormemed.notifications.services import notify

    admins = Membership.objects.filter(institution=institution, role="admin", status=MembershipStatus.ACTIVE)
    for admin in admins.select_related("user"):
        notify(user=admin.user, kind="data", title=title, body=body, url=url, action=_("Download the export"))


@transaction.atomic
def closeout_start(*, acting: Actor, institution) -> CloseOut:
    """Begin the close-out of a lapsed institution: its export is built and handed to its admins (staff)."""
    acting.require("staff.lifecycle")
    ended = contract_end(institution)
    if ended is None:
        raise ValidationError(
            gettext("This institution has a current or future term: only a lapsed contract is closed out.")
        )
    if CloseOut.objects.filter(institution=institution, state__in=OPEN_STATES + (CloseOut.State.DESTROYED,)).exists():
        raise ValidationError(gettext("This institution's close-out has already been started."))
    export = exports.export_request(acting=acting, institution=institution)
    closeout = CloseOut.objects.create(
        institution=institution,
        started_by=acting.user,
        contract_ended_on=ended,
        export=export,
        grace_days=schedule_for(institution).closeout_grace_days,
    )
    audit(
        acting=acting,
        action="lifecycle.closeout.start",
        obj=closeout,
        institution=institution,
        detail={"contract_ended_on": ended.isoformat(), "grace_days": closeout.grace_days},
    )
    return closeout


def export_ready(*, export_id: int) -> None:
    """A close-out's export is built: it is handed over and the grace period starts now."""
    now = timezone.now()
    with transaction.atomic():
        closeout = (
            CloseOut.objects.select_for_update()
            .filter(export_id=export_id, state=CloseOut.State.HANDOVER)
            .select_related("export", "institution")
            .first()
        )
        if closeout is None:
            return
        closeout.state = CloseOut.State.GRACE
        closeout.handed_over_at = now
        closeout.export_sha256 = closeout.export.sha256
        closeout.destroy_after = now + dt.timedelta(days=closeout.grace_days)
        closeout.save(update_fields=["state", "handed_over_at", "export_sha256", "destroy_after"])
        audit(
            actor=None,
            action="lifecycle.closeout.handover",
            obj=closeout,
            institution=closeout.institution,
            detail={"sha256": closeout.export_sha256, "destroy_after": closeout.destroy_after.isoformat()},
        )
        _tell_admins(
            closeout.institution,
            title=_("Your institution's data export is ready"),
            body=format_lazy(
                _(
                    "Your contract ended on {ended}. Download your data before {destroy_after}: after that day its"
                    " personal data is destroyed. Renewing before then keeps everything."
                ),
                ended=day(closeout.contract_ended_on, "DATE_FORMAT"),
                destroy_after=day(closeout.destroy_after, "DATE_FORMAT"),
            ),
        )


@transaction.atomic
def closeout_cancel(*, acting: Actor, closeout: CloseOut, note: str) -> CloseOut:
    """Stop a close-out before destruction (the institution renewed, or staff started it in error)."""
    acting.require("staff.lifecycle")
    if not note.strip():
        raise ValidationError(gettext("Say why the close-out is cancelled."))
    if not CloseOut.objects.filter(pk=closeout.pk, state__in=[CloseOut.State.HANDOVER, CloseOut.State.GRACE]).update(
        state=CloseOut.State.CANCELLED, cancelled_at=timezone.now(), note=note.strip()[:500]
    ):
        raise ValidationError(gettext("Only a close-out that has not begun destroying data can be cancelled."))
    closeout.refresh_from_db()
    audit(acting=acting, action="lifecycle.closeout.cancel", obj=closeout, institution=closeout.institution)
    return closeout


@transaction.atomic
def closeout_request_destroy(*, acting: Actor, closeout: CloseOut, now: dt.datetime | None = None) -> CloseOut:
    """Staff confirm destruction once the grace period has passed; the work runs in the background."""
    acting.require("staff.lifecycle")
    now = now or timezone.now()
    if contract_end(closeout.institution) is None:
        raise ValidationError(gettext("The institution has a current term again: cancel the close-out instead."))
    claimed = CloseOut.objects.filter(pk=closeout.pk, state=CloseOut.State.GRACE, destroy_after__lte=now).update(
        state=CloseOut.State.DESTROYING
    )
    if not claimed:
        if closeout.state == CloseOut.State.GRACE and closeout.destroy_after and closeout.destroy_after > now:
            raise ValidationError(
                gettext("The grace period runs until %(destroy_after)s; destroy after it.")
                % {"destroy_after": date_format(closeout.destroy_after, "LONG_DATE_FORMAT")}
            )
        raise ValidationError(gettext("This close-out is not waiting for destruction."))
    audit(acting=acting, action="lifecycle.closeout.destroy", obj=closeout, institution=closeout.institution)
    from mentormemed.lifecycle.tasks import destroy_institution

    pk, uid = closeout.pk, acting.user.pk if acting.user else None
    transaction.on_commit(lambda: destroy_institution.enqueue(closeout_id=pk, user_id=uid), robust=True)
    closeout.refresh_from_db()
    return closeout


def _erase_institution_records(institution, counts: Counter) -> None:
    """What the institution itself holds that names people: invitations, campus links, contacts."""
    from mentormemed.care.models import CarePolicy
    from mentormemed.core.models import AuditEntry
    from mentormemed.institutions.models import Invitation
    from mentormemed.outcomes.models import ParticipationThreshold
    from mentormemed.provisioning.models import RosterSync, ScimGroup, ScimToken, ScimUser
    from mentormemed.sso.models import IdentityProvider

    counts[gettext_noop("invitations (deleted)")] += Invitation.objects.filter(institution=institution).delete()[0]
    counts[gettext_noop("roster uploads (deleted)")] += RosterSync.objects.filter(institution=institution).delete()[0]
    ScimGroup.objects.filter(institution=institution).delete()
    counts[gettext_noop("provisioned identities (deleted)")] += ScimUser.objects.filter(
        institution=institution
    ).delete()[0]
    ScimToken.objects.filter(institution=institution).delete()
    for provider in IdentityProvider.objects.filter(institution=institution).select_related("app"):
        app = provider.app
        provider.delete()
        if app is not None:
            app.delete()
        counts[gettext_noop("campus sign-in connections (deleted)")] += 1
    CarePolicy.objects.filter(institution=institution).update(
        wellbeing_contact_name="", wellbeing_contact_email="", wellbeing_contact_phone=""
    )
    ParticipationThreshold.objects.filter(institution=institution).update(signer_name="", signer_title="")
    AuditEntry.objects.filter(institution=institution).update(ip_address=None)
    for export in DataExport.objects.filter(institution=institution).exclude(file=""):
        exports.export_remove_file(export)
        counts[gettext_noop("export archives (deleted)")] += 1


def kept_records(institution, *, now: dt.datetime) -> list[dict]:
    """What stays after destruction, why and until when (printed on the certificate).

    Stored as message ids and facts (``label``, ``count``, ``until`` with its ``day`` and ``years``), so the
    certificate is worded in the language of whoever downloads it (``kept_rows``)."""
    from mentormemed.core.models import AuditEntry
    from mentormemed.institutions.models import Subscription
    from mentormemed.lifecycle.models import RetainedCmeRecord

    schedule = schedule_for(institution)
    audit_until = (now + dt.timedelta(days=365 * schedule.audit_years)).date()
    cme = RetainedCmeRecord.objects.filter(institution_name=institution.name)
    cme_until = max(cme.values_list("keep_until", flat=True), default=None)
    return [
        {
            "label": gettext_noop("Audit log entries (actions only; names and addresses removed)"),
            "count": AuditEntry.objects.filter(institution=institution).count(),
            "until": gettext_noop("until %(day)s (retention schedule: %(years)s years)"),
            "day": audit_until.isoformat(),
            "years": schedule.audit_years,
        },
        {
            "label": gettext_noop("CME credit records (name, activity, date, credits)"),
            "count": cme.count(),
            "until": gettext_noop("until %(day)s (accredited provider, %(years)s years)") if cme_until else "",
            "day": cme_until.isoformat() if cme_until else None,
            "years": erasure.CME_KEEP_YEARS,
        },
        {
            "label": gettext_noop("Subscriptions and invoices (no personal data)"),
            "count": Subscription.objects.filter(institution=institution).count(),
            "until": gettext_noop("financial records, 7 years"),
        },
        {
            "label": gettext_noop("Aggregate outcomes (counts and means, small cells suppressed)"),
            "count": "—",
            "until": gettext_noop("kept; they describe no one"),
        },
    ]


def kept_rows(kept: list) -> list[tuple[str, object, str]]:
    """The kept records of a close-out summary as (label, count, until), in the active language.

    Close-outs destroyed before the labels were stored as message ids hold ``[label, count, until]``
    in English: their labels and fixed periods are translated; a dated period reads as stored."""
    rows = []
    for item in kept:
        if isinstance(item, dict):
            params = {"years": item.get("years")}
            if item.get("day"):
                params["day"] = date_format(dt.date.fromisoformat(item["day"]), "DATE_FORMAT")
            until = gettext(item["until"]) % params if item.get("until") else ""
            rows.append((gettext(item["label"]), item["count"], until))
        else:
            label, count, until = item
            rows.append((gettext(label), count, gettext(until) if until else ""))
    return rows


def removed_rows(removed: list) -> list[tuple[str, object]]:
    """The removed records of a close-out or erasure summary as (label, count), in the active language."""
    return [(gettext(label), count) for label, count in removed]


def closeout_destroy(*, closeout_id: int, user_id: int | None, now: dt.datetime | None = None) -> dict:
    """Destroy the personal data of a close-out claimed for destruction (idempotent)."""
    from mentormemed.institutions.models import Membership

    now = now or timezone.now()
    with transaction.atomic():
        closeout = (
            CloseOut.objects.select_for_update()
            .select_related("institution")
            .filter(pk=closeout_id, state=CloseOut.State.DESTROYING)
            .first()
        )
        if closeout is None:
            return {"destroyed": 0}
        institution = closeout.institution
        counts: Counter = Counter()
        memberships = list(Membership.objects.filter(institution=institution).select_related("user", "institution"))
        for membership in memberships:
            erasure.erase_membership(membership, counts=counts, now=now)
        counts[gettext_noop("memberships (ended, kept without personal data)")] += len(memberships)
        for user in get_user_model().objects.filter(pk__in={m.user_id for m in memberships}):
            erasure.erase_account(user, counts=counts)
        _erase_institution_records(institution, counts)
        closeout.summary = {
            "removed": sorted([label, n] for label, n in counts.items() if n),
            "kept": kept_records(institution, now=now),
        }
        closeout.state = CloseOut.State.DESTROYED
        closeout.destroyed_at = now
        closeout.destroyed_by_id = user_id
        closeout.certificate_number = f"COD-{now:%Y%m%d}-{closeout.pk:05d}-{secrets.token_hex(2).upper()}"
        closeout.save()
        audit(
            actor=get_user_model().objects.filter(pk=user_id).first() if user_id else None,
            action="lifecycle.closeout.destroyed",
            obj=closeout,
            institution=institution,
            actor_role="staff" if user_id else "system",
            detail={"certificate": closeout.certificate_number, "removed": dict(counts)},
        )
    return {"destroyed": 1}


BACKSTOP_DAYS = 14  # destruction is a person's decision; the sweep acts only if nobody did


def remind_staff(*, now: dt.datetime) -> int:
    """Tell staff once that a close-out's grace period has passed and destruction awaits them."""
    from mentormemed.lifecycle.services import notify_staff

    due = CloseOut.objects.filter(state=CloseOut.State.GRACE, destroy_after__lte=now, staff_reminded_at__isnull=True)
    told = 0
    for item in due.select_related("institution"):
        if CloseOut.objects.filter(pk=item.pk, staff_reminded_at__isnull=True).update(staff_reminded_at=now):
            notify_staff(
                title=format_lazy(_("Destruction due: {institution}"), institution=item.institution.name),
                body=format_lazy(
                    _(
                        "The grace period ended {day}. Confirm destruction and send the certificate; otherwise it"
                        " happens automatically after {days} more days."
                    ),
                    day=day(item.destroy_after, "DATE_FORMAT"),
                    days=BACKSTOP_DAYS,
                ),
                url=f"/staff/data/institutions/{item.institution_id}/",
            )
            told += 1
    return told


def due_closeouts(*, now: dt.datetime):
    """Close-outs whose grace period passed ``BACKSTOP_DAYS`` ago without staff confirming destruction."""
    return CloseOut.objects.filter(
        state=CloseOut.State.GRACE, destroy_after__lte=now - dt.timedelta(days=BACKSTOP_DAYS)
    ).select_related("institution")
