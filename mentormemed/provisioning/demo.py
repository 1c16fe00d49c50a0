"""Demo: Northgate has a SCIM token for its directory and a roster upload waiting for review
(two joiners, a graduate and a leaver), so the admin sees the diff before applying it."""

from __future__ import annotations

from mentormemed.core.access import Actor
from mentormemed.institutions.models import Membership
from mentormemed.provisioning.roster import roster_sync_preview
from mentormemed.provisioning.services import scim_token_create


def build(ctx) -> None:
    northgate = ctx.institutions["northgate"]
    admin = ctx.admins["northgate"].user
    scim_token_create(acting=Actor.for_user(admin), institution=northgate, label="Northgate directory (demo)")
    members = list(
        Membership.objects.filter(institution=northgate, role__in=["mentee", "mentor"], status="active")
        .select_related("user")
        .order_by("pk")
    )
    featured = {m.pk for m in ctx.featured.values()}
    others = [m for m in members if m.pk not in featured and m.role == "mentee"]
    graduate, leaver = others[-1], others[-2]
    lines = ["email,role,first_name,last_name,status"]
    for m in members:
        if m.pk == leaver.pk:
            continue
        status = "graduated" if m.pk == graduate.pk else ""
        lines.append(f"{m.user.email},{m.role},{m.user.first_name},{m.user.last_name},{status}")
    lines += [
        "amara.nwosu@demo.mentormemed.org,mentee,Amara,Nwosu,",
        "luis.ortega@demo.mentormemed.org,mentor,Luis,Ortega,",
    ]
    roster_sync_preview(
        acting=Actor.for_user(admin),
        institution=northgate,
        data=("\n".join(lines) + "\n").encode(),
        file_name="northgate-roster-may.csv",
    )
