"""Demo: the lapsed institution's close-out is past its grace period (staff confirm destruction and
download the certificate of destruction), Northgate has a built export, and one person waits
for staff to handle their erasure request."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.lifecycle import closeout, exports, services
from mentormemed.lifecycle.models import CloseOut, DataExport, RetentionSchedule

GRACE_DAYS = 21
HANDED_OVER_DAYS_AGO = 24


def build(ctx) -> None:
    now = timezone.now()
    lapsed = ctx.institutions["riverbend"]
    RetentionSchedule.objects.create(institution=lapsed, closeout_grace_days=GRACE_DAYS, updated_by=ctx.staff)
    item = closeout.closeout_start(acting=Actor.for_user(ctx.staff), institution=lapsed)
    exports.export_build(export_id=item.export_id)  # the worker finds it built and does nothing more
    handed = now - dt.timedelta(days=HANDED_OVER_DAYS_AGO)
    CloseOut.objects.filter(pk=item.pk).update(
        started_at=handed - dt.timedelta(hours=2),
        handed_over_at=handed,
        destroy_after=handed + dt.timedelta(days=GRACE_DAYS),
    )
    DataExport.objects.filter(pk=item.export_id).update(created_at=handed - dt.timedelta(hours=2), finished_at=handed)

    northgate = ctx.admins["northgate"]
    export = exports.export_request(acting=Actor.for_membership(northgate), institution=northgate.institution)
    exports.export_build(export_id=export.pk)

    featured = {m.pk for m in ctx.featured.values()}
    asker = next(m for m in ctx.mentees if m.institution == ctx.institutions["lakeshore"] and m.pk not in featured)
    services.erasure_request(
        acting=Actor.for_user(asker.user), reason="I am leaving medicine and would like my account removed."
    )
