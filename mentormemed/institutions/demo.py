"""Demo: staff, four institutions (one lapsed), admins, 100 mentors and 60 mentees."""

from __future__ import annotations

import datetime as dt
import random

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from mentormemed.accounts.models import AgreementAcceptance, MenteeEligibility, ReviewStatus
from mentormemed.accounts.services import current_agreement
from mentormemed.core.access import Actor
from mentormemed.core.clock import platform_today
from mentormemed.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRET, DemoContext
from mentormemed.institutions import services
from mentormemed.institutions.models import Institution, Membership, MentorCriterionAttestation

# First names by the pronouns the demo gives the person, so a name never contradicts them.
FIRST_BY_PRONOUNS = {
    "she/her": [
        "Aaliyah",
        "Alejandra",
        "Amara",
        "Aiyana",
        "Camila",
        "Esperanza",
        "Fatima",
        "Hana",
        "Imani",
        "Isabel",
        "Jasmine",
        "Lucía",
        "Marisol",
        "Nia",
        "Nkechi",
        "Priya",
        "Rosa",
        "Sofía",
        "Valentina",
        "Xochitl",
        "Zainab",
        "Leilani",
        "Ngozi",
        "Aisha",
        "Elena",
        "Adaeze",
        "Mariana",
        "Yesenia",
        "Keisha",
        "Thuy",
        "Naomi",
        "Ximena",
    ],
    "he/him": [
        "Adebayo",
        "Andrés",
        "Binh",
        "Chidi",
        "Darnell",
        "Diego",
        "Gabriel",
        "Jamal",
        "José",
        "Kwame",
        "Malik",
        "Mateo",
        "Omar",
        "Rafael",
        "Samuel",
        "Tariq",
        "Thanh",
        "Yusuf",
        "Keanu",
        "Tomás",
        "Marcus",
        "Kofi",
        "Emeka",
        "Luis",
        "Hiroshi",
        "DeShawn",
        "Joaquín",
        "Tevita",
        "Ibrahim",
        "Manuel",
    ],
    "they/them": ["Dakota", "Kalani", "Wei", "Noor", "Sage", "Ari", "Rowan", "Jordan"],
}
GENDER_BY_PRONOUNS = {"she/her": "woman", "he/him": "man", "they/them": "nonbinary_genderqueer"}
PRONOUN_WEIGHTS = {"she/her": 52, "he/him": 45, "they/them": 3}
LAST = [
    "Okoye",
    "Whitfield",
    "Ramírez",
    "Nguyen",
    "Washington",
    "Begay",
    "Hernández",
    "Adeyemi",
    "Jackson",
    "Morales",
    "Kahale",
    "Mensah",
    "Torres",
    "Chen",
    "Robinson",
    "Castillo",
    "Diallo",
    "Patel",
    "Flores",
    "Johnson",
    "Reyes",
    "Yazzie",
    "Owusu",
    "Gómez",
    "Williams",
    "Tran",
    "Abdi",
    "Cruz",
    "Brooks",
    "Santos",
    "Haile",
    "Vargas",
    "Coleman",
    "Ortiz",
    "Mahmoud",
    "Kealoha",
    "Delgado",
    "Harris",
    "Ali",
    "Rivera",
]

INSTITUTIONS = [
    # key, name, kind, headcount, zone, state, mentors, mentees, subscribed
    ("northgate", "Northgate University School of Medicine", "md_school", 620, "America/Chicago", "IL", 55, 30, True),
    ("lakeshore", "Lakeshore Health System", "hospital_system", 340, "America/New_York", "OH", 25, 15, True),
    ("society", "Society for Equity in Medicine", "medical_society", 180, "America/Los_Angeles", "CA", 15, 10, True),
    ("riverbend", "Riverbend College of Osteopathic Medicine", "do_school", 220, "America/Denver", "CO", 5, 5, False),
]
CRITERIA = [
    "Holds a faculty appointment (any rank) at the institution",
    "In good professional standing",
    "Completes mentor training before the first mentorship",
]
URIM_KEYS = ["american_indian_alaska_native", "black", "hispanic_latino", "native_hawaiian_pacific_islander"]


def build(ctx: DemoContext) -> None:
    ctx.staff = _user(ctx, f"staff@{DEMO_DOMAIN}", "Jordan", "Ellis", staff=True, mfa=True, pronouns="they/them")
    ctx.sign_ins.append(("staff", ctx.staff.email, "platform staff"))
    for spec in INSTITUTIONS:
        _institution(ctx, *spec)
    _cohort(ctx)
    _invitations(ctx)


_HASH: dict[str, str] = {}


def _user(ctx, email, first, last, *, staff=False, mfa=False, zone="America/New_York", pronouns=""):
    if "demo" not in _HASH:  # argon2 is slow on purpose: hash the shared demo password once
        _HASH["demo"] = make_password(DEMO_PASSWORD)
    user = get_user_model().objects.create(
        email=email,
        password=_HASH["demo"],
        first_name=first,
        last_name=last,
        pronouns=pronouns,
        is_staff=staff,
        time_zone=zone,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if mfa:
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def _person(ctx, inst) -> tuple[str, str, str]:
    """First name, last name and pronouns: the name fits the pronouns, and nobody in one
    institution shares another's full name."""
    pronouns = ctx.rng.choices(list(PRONOUN_WEIGHTS), weights=list(PRONOUN_WEIGHTS.values()))[0]
    taken = ctx.names.setdefault(inst.pk if inst else 0, set())
    while True:
        first, last = ctx.rng.choice(FIRST_BY_PRONOUNS[pronouns]), ctx.rng.choice(LAST)
        if (first, last) not in taken:
            taken.add((first, last))
            return first, last, pronouns


def _taxonomy(field: str):
    """The rows of the profiles taxonomy behind one of the institution's own fields (a field of training,
    a region, an identity option), reached through that field: profiles sits above institutions."""
    return Institution._meta.get_field(field).related_model._default_manager


def _institution(ctx, key, name, kind, headcount, zone, state, n_mentors, n_mentees, subscribed):
    today = platform_today()
    inst = Institution(
        name=name,
        kind=kind,
        eligible_headcount=headcount,
        time_zone=zone,
        field_of_training=_taxonomy("field_of_training").get(key="medicine"),
        state=_taxonomy("state").get(kind="state", code=state),
    )
    services.institution_save(
        acting=Actor.for_user(ctx.staff),
        institution=inst,
        urim_groups=_taxonomy("urim_groups").filter(dimension__key="race_ethnicity", key__in=URIM_KEYS),
        criteria_text="\n".join(CRITERIA),
    )
    if subscribed:
        start = today - dt.timedelta(days=ctx.rng.randint(200, 300))
        services.subscription_start(
            acting=Actor.for_user(ctx.staff), institution=inst, term_start=start, paid_on=start + dt.timedelta(days=21)
        )
    else:  # lapsed: the last term ended a month ago, nothing deleted
        start = today - dt.timedelta(days=365 + 30)
        services.subscription_start(
            acting=Actor.for_user(ctx.staff), institution=inst, term_start=start, paid_on=start + dt.timedelta(days=10)
        )
    ctx.institutions[key] = inst
    admin_email = f"admin@{DEMO_DOMAIN}" if key == "northgate" else f"admin.{key}@{DEMO_DOMAIN}"
    first, last, pronouns = ("Dana", "Whitaker", "she/her") if key == "northgate" else _person(ctx, inst)
    ctx.names.setdefault(inst.pk, set()).add((first, last))
    admin = Membership.objects.create(
        user=_user(ctx, admin_email, first, last, mfa=True, zone=zone, pronouns=pronouns),
        institution=inst,
        role="admin",
    )
    ctx.admins[key] = admin
    for _ in range(n_mentors):
        ctx.mentors.append(_member(ctx, inst, "mentor", len(ctx.mentors) + 1))
    for _ in range(n_mentees):
        ctx.mentees.append(_member(ctx, inst, "mentee", len(ctx.mentees) + 1))
    if not subscribed:  # a named sign-in for the "access paused" page
        lapsed = next(m for m in ctx.mentees if m.institution_id == inst.pk).user
        EmailAddress.objects.filter(user=lapsed).update(email=f"lapsed@{DEMO_DOMAIN}")
        lapsed.email = f"lapsed@{DEMO_DOMAIN}"
        lapsed.save(update_fields=["email"])


# Beyond the pilot's named people: the rest of a school's mentee program (a few hundred at a real
# school), so the outcomes show what a program of real size sees.
COHORT = {"northgate": 150}


def _cohort(ctx) -> None:
    """More mentees, drawn from their own generator so the pilot's people stay exactly as they were."""
    pilot_rng, ctx.rng = ctx.rng, random.Random(15)
    try:
        for key, n in COHORT.items():
            for _ in range(n):
                ctx.mentees.append(_member(ctx, ctx.institutions[key], "mentee", len(ctx.mentees) + 1))
    finally:
        ctx.rng = pilot_rng


def _member(ctx, inst, role, number):
    featured = number == 1 and inst.name.startswith("Northgate")
    email = f"{role}@{DEMO_DOMAIN}" if featured else f"{role}{number}@{DEMO_DOMAIN}"
    if featured and role == "mentee":
        first, last, pronouns = "Adaeze", "Nwosu", "she/her"
        ctx.names.setdefault(inst.pk, set()).add((first, last))
    else:
        first, last, pronouns = _person(ctx, inst)
    user = _user(ctx, email, first, last, zone=inst.time_zone, pronouns=pronouns)
    joined = timezone.now() - dt.timedelta(days=ctx.rng.randint(30, 500))
    membership = Membership.objects.create(user=user, institution=inst, role=role, created_at=joined)
    ctx.genders[membership.pk] = GENDER_BY_PRONOUNS[pronouns]
    if featured:
        ctx.featured[role] = membership
    _onboarding_stage(ctx, membership, joined, stage="complete" if featured else None)
    return membership


def _onboarding_stage(ctx, membership, joined, stage=None):
    """Most people are onboarded; some wait for review, some have just arrived, one was rejected."""
    stage = (
        stage
        or ctx.rng.choices(
            ["complete", "pending_review", "agreement_only", "new", "rejected"], weights=[80, 8, 5, 5, 2]
        )[0]
    )
    if stage == "new":
        return
    AgreementAcceptance.objects.create(
        user=membership.user, agreement=current_agreement(membership.role), accepted_at=joined + dt.timedelta(hours=1)
    )
    if stage == "agreement_only":
        return
    status = {
        "complete": ReviewStatus.CONFIRMED,
        "pending_review": ReviewStatus.PENDING,
        "rejected": ReviewStatus.REJECTED,
    }[stage]
    when = joined + dt.timedelta(hours=2)
    if membership.role == "mentee":
        bases = ctx.rng.choice(
            [(True, True, False), (True, False, False), (False, True, True), (True, False, True), (False, True, False)]
        )
        MenteeEligibility.objects.create(
            membership=membership,
            urim=bases[0],
            first_generation=bases[1],
            economically_disadvantaged=bases[2],
            attested_at=when,
            status=status,
            review_note="Please contact the program office about your attestation." if status == "rejected" else "",
        )
    else:
        for criterion in membership.institution.criteria.filter(active=True):
            MentorCriterionAttestation.objects.create(
                membership=membership,
                criterion=criterion,
                attested_at=when,
                status=ReviewStatus.PENDING if status == "rejected" else status,
            )


def _invitations(ctx):
    northgate = ctx.institutions["northgate"]
    admin = ctx.admins["northgate"].user
    for i, role in enumerate(["mentee", "mentee", "mentor"], start=1):
        services.invitation_create(
            acting=Actor.for_user(admin),
            institution=northgate,
            email=f"invited{i}@{DEMO_DOMAIN}",
            role=role,
            send=False,
        )
