"""The retention sweep (R40), a periodic job: each institution's schedule, enforced every pass.

- audit entries older than the institution's ``audit_years`` (platform entries: the default) go;
- a person all of whose memberships ended longer ago than their institution's
  ``inactive_account_years`` is erased (``erasure.erase_person``);
- staff are told when a close-out's grace period has passed; if nobody confirms destruction within
  ``closeout.BACKSTOP_DAYS`` more days, the sweep destroys it;
- CME records kept for the accredited provider go once their time is up;
- export archives go ``EXPORT_KEEP_DAYS`` after they were built (a close-out's export stays
  downloadable for its whole grace period).

Every step is idempotent: a second pass finds nothing more to do.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q

from mentormemed.core.audit import audit
from mentormemed.lifecycle import closeout, erasure, exports
from mentormemed.lifecycle.models import CloseOut, DataExport, RetainedCmeRecord, RetentionSchedule

YEAR = dt.timedelta(days=365)


def _audit_expiry(now: dt.datetime) -> int:
    from mentormemed.core.models import AuditEntry

    default = RetentionSchedule._meta.get_field("audit_years").default
    custom = dict(RetentionSchedule.objects.values_list("institution_id", "audit_years"))
    removed = AuditEntry.objects.filter(at__lt=now - default * YEAR).exclude(institution_id__in=custom).delete()[0]
    for institution_id, years in custom.items():
        removed += AuditEntry.objects.filter(institution_id=institution_id, at__lt=now - years * YEAR).delete()[0]
    return removed


def _inactive_people(now: dt.datetime) -> int:
    from mentormemed.institutions.models import Membership, MembershipStatus

    default = RetentionSchedule._meta.get_field("inactive_account_years").default
    custom = dict(RetentionSchedule.objects.values_list("institution_id", "inactive_account_years"))
    shortest = min([default, *custom.values()])
    candidates = (
        get_user_model()
        .objects.filter(is_staff=False, memberships__isnull=False)
        .exclude(email__endswith=f"@{erasure.ERASED_DOMAIN}")
        .annotate(
            open=Count("memberships", filter=~Q(memberships__status=MembershipStatus.ENDED)),
            last_end=Max("memberships__ended_at"),
        )
        .filter(open=0, last_end__lt=now - shortest * YEAR)
    )
    erased = 0
    for user in candidates:
        ended = Membership.objects.filter(user=user).values_list("institution_id", "ended_at")
        if all(end is not None and end < now - custom.get(inst, default) * YEAR for inst, end in ended):
            counts = erasure.erase_person(user, now=now)
            audit(actor=None, action="lifecycle.retention.erase", obj=user, detail={"removed": dict(counts)})
            erased += 1
    return erased


def _closeouts(now: dt.datetime) -> int:
    done = 0
    for item in closeout.due_closeouts(now=now):
        if closeout.contract_end(item.institution) is None:
            continue  # renewed in the meantime: staff cancel it; nothing is destroyed
        if CloseOut.objects.filter(pk=item.pk, state=CloseOut.State.GRACE).update(state=CloseOut.State.DESTROYING):
            done += closeout.closeout_destroy(closeout_id=item.pk, user_id=None, now=now)["destroyed"]
    return done


def _expired_exports(now: dt.datetime) -> int:
    waiting = CloseOut.objects.filter(state__in=closeout.OPEN_STATES).values("export_id")
    old = DataExport.objects.filter(
        state=DataExport.State.READY, finished_at__lt=now - dt.timedelta(days=exports.EXPORT_KEEP_DAYS)
    ).exclude(pk__in=waiting)
    count = 0
    for export in old:
        exports.export_remove_file(export)
        count += 1
    return count


def sweep(*, now: dt.datetime) -> dict[str, int]:
    return {
        "retention_audit_removed": _audit_expiry(now),
        "retention_people_erased": _inactive_people(now),
        "retention_closeouts_due": closeout.remind_staff(now=now),
        "retention_closeouts_destroyed": _closeouts(now),
        "retention_cme_records_removed": RetainedCmeRecord.objects.filter(keep_until__lt=now.date()).delete()[0],
        "retention_exports_removed": _expired_exports(now),
    }
