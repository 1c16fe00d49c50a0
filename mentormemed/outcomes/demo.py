"""Demo: 18 months of searches and of declined, expired and withdrawn requests; research requests
in every state; thresholds; one paid and one unpaid invoice (R3, R11, R23–R25)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.files.base import ContentFile
from django.utils import timezone

from mentormemed.core.clock import platform_today
from mentormemed.core.demo import DemoContext
from mentormemed.institutions.models import Subscription
from mentormemed.matching.models import MentorFacet, SearchEvent, SearchLog
from mentormemed.mentorships.models import MentorshipRequest, RequestState
from mentormemed.outcomes import agreements, research
from mentormemed.outcomes.models import DataUseAgreement, InvoiceIssue, ParticipationThreshold, ResearchRequest
from mentormemed.outcomes.testing import PDF_BYTES
from mentormemed.profiles.models import ContentArea, MenteeProfile, MentorProfile

HISTORY_DAYS = 540


def build(ctx: DemoContext) -> None:
    _searches_and_requests(ctx)
    _paired_needs(ctx)
    _network_relationships(ctx)
    _letters(ctx)
    _research(ctx)
    _billing(ctx)
    # Outcomes is the last demo builder: responsiveness from every request written (including the
    # history above), then the dashboards' rollups over everything.
    from mentormemed.mentorships.demo import refresh_derived
    from mentormemed.outcomes.rollups import refresh

    refresh_derived(now=timezone.now())
    refresh()


def _searches_and_requests(ctx: DemoContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    mentees = [m for m in ctx.mentees if m.status == "active"]
    profiles = {p.membership_id: p for p in MenteeProfile.objects.filter(membership__in=mentees)}
    mentors = list(MentorProfile.objects.filter(membership__in=ctx.mentors).select_related("membership"))
    if not mentees or not mentors:
        return
    area_keys = list(ContentArea.objects.filter(active=True).values_list("key", flat=True))
    facet_keys = list(
        MentorFacet.objects.exclude(key__startswith="area:").values_list("key", flat=True).distinct()[:80]
    )
    # Demand the network cannot meet yet (few mentors offer it): these searches come back empty.
    scarce = area_keys[-3:]
    logs = []
    for mentee in mentees:
        profile = profiles.get(mentee.pk)
        bases = getattr(getattr(mentee, "eligibility", None), "bases", [])
        joined = max(mentee.created_at, now - dt.timedelta(days=HISTORY_DAYS))
        span = max((now - joined).days, 1)
        for _ in range(rng.randint(25, 70)):
            when = now - dt.timedelta(days=rng.randint(0, span), minutes=rng.randint(0, 1440))
            growth = 1 - (now - when).days / (HISTORY_DAYS * 1.6)  # adoption grows over time
            if rng.random() > max(growth, 0.25):
                continue
            keys = [f"area:{rng.choice(area_keys)}"] if rng.random() < 0.7 else []
            if facet_keys and rng.random() < 0.5:
                keys.append(rng.choice(facet_keys))
            if rng.random() < 0.12:
                keys = [f"area:{rng.choice(scarce)}", *keys[1:]]
                results = rng.choice([0, 0, 1, 2])
            else:
                results = max(0, int(rng.gauss(30 - 9 * len(keys), 8)))
            logs.append(
                SearchLog(
                    viewer=mentee,
                    institution_id=mentee.institution_id,
                    role="mentee",
                    training_level=getattr(profile, "training_level", ""),
                    eligibility_bases=bases,
                    kind="search",
                    filters={"f": keys, "q": "", "scope": "", "sort": "best", "available": False, "page": 1},
                    result_count=results,
                    created_at=when,
                )
            )
    SearchLog.objects.bulk_create(logs, batch_size=2000)
    events = [
        SearchEvent(
            search=log,
            institution_id=log.institution_id,
            role="mentee",
            training_level=log.training_level,
            eligibility_bases=log.eligibility_bases,
            mentor=rng.choice(mentors),
            kind="opened",
            created_at=log.created_at + dt.timedelta(minutes=2),
        )
        for log in logs
        if log.result_count and rng.random() < 0.4
    ]
    SearchEvent.objects.bulk_create(events, batch_size=2000)

    # Requests that did not become mentorships: declined, expired, withdrawn (accepted ones came with
    # the relationships built by the evaluations demo).
    requests = []
    for _ in range(len(mentees) * 4):
        mentee, mentor = rng.choice(mentees), rng.choice(mentors)
        created = now - dt.timedelta(days=rng.randint(10, HISTORY_DAYS), hours=rng.randint(0, 23))
        state = rng.choices([RequestState.DECLINED, RequestState.EXPIRED, RequestState.WITHDRAWN], [5, 3, 2])[0]
        responded = (
            created + dt.timedelta(hours=rng.choice([4, 12, 30, 50, 90])) if state == RequestState.DECLINED else None
        )
        requests.append(
            MentorshipRequest(
                mentee=mentee,
                mentor=mentor,
                message="Hello — could we talk?",
                state=state,
                created_at=created,
                deadline=created + dt.timedelta(days=7),
                responded_at=responded,
            )
        )
    MentorshipRequest.objects.bulk_create(requests)
    through = MentorshipRequest.areas.through
    ids = dict(ContentArea.objects.filter(key__in=area_keys).values_list("key", "pk"))
    through.objects.bulk_create(
        [through(mentorshiprequest_id=r.pk, contentarea_id=ids[rng.choice(area_keys)]) for r in requests]
    )


RESEARCH = [
    # title, question, variables, state, IRB, decision note, submitted (days ago), decided (days ago)
    (
        "Shared language and mentorship length",
        "Do mentees who share a native language with their mentor stay in the mentorship longer than those who "
        "do not, after accounting for training level? We plan a survival analysis of completed mentorships.",
        ["training_level", "shared_characteristics", "relationship"],
        ResearchRequest.State.SUBMITTED,
        ResearchRequest.Irb.PENDING,
        "",
        9,
        None,
    ),
    (
        "Affinity and evaluation scores across institutions",
        "Is sharing racial or ethnic identity with a mentor associated with higher competency ratings on the "
        "mentee evaluation, and does the association differ between local and national mentorships?",
        ["training_level", "institution", "shared_characteristics", "relationship", "evaluations"],
        ResearchRequest.State.APPROVED,
        ResearchRequest.Irb.EXEMPT,
        "Approved: variables limited to the analysis plan; no free text.",
        74,
        61,
    ),
    (
        "Responsiveness and first-generation mentees",
        "We want to read the first messages exchanged by first-generation mentees and their mentors to describe "
        "how quickly and in what tone mentors respond.",
        ["eligibility_bases", "request_outcome", "relationship"],
        ResearchRequest.State.DECLINED,
        ResearchRequest.Irb.APPROVED,
        "Declined for now: the request asks for message contents, which we never release. Resubmit without them.",
        120,
        112,
    ),
    (
        "Content areas that go unmet",
        "Which areas of need do mentees name that no mentor in their search results offers, by UME/GME level? "
        "The aim is to recruit mentors where the gaps are.",
        ["training_level", "areas", "mentor_specialty"],
        ResearchRequest.State.SUBMITTED,
        ResearchRequest.Irb.APPROVED,
        "",
        23,
        None,
    ),
]


def _research(ctx: DemoContext) -> None:
    """Research requests as real investigators write them: own questions, variables and dates."""
    now = timezone.now()
    known = set(research.VARIABLES)  # a variable the export no longer offers is left out
    for membership, (title, question, variables, state, irb, note, submitted, decided) in zip(
        ctx.mentors[:4], RESEARCH, strict=False
    ):
        item = ResearchRequest(
            requester=membership,
            title=title,
            question=question,
            variables=[v for v in variables if v in known],
            irb_status=irb,
            irb_number=f"IRB-{2025 if submitted > 60 else 2026}-{membership.pk:04d}" if irb != "pending" else "",
            state=state,
            created_at=now - dt.timedelta(days=submitted, hours=ctx.rng.randint(1, 9)),
            decision_note=note,
            decided_at=now - dt.timedelta(days=decided, hours=ctx.rng.randint(1, 9)) if decided else None,
            decided_by=ctx.staff if decided else None,
            export_salt=research.new_salt() if state == ResearchRequest.State.APPROVED else "",
        )
        item.irb_document.save(f"demo-irb-{membership.pk}.pdf", ContentFile(PDF_BYTES), save=False)
        item.irb_document_name = "irb-letter.pdf"
        item.save()
        if state == ResearchRequest.State.APPROVED:
            _agreement(ctx, item, accepted=item.decided_at + dt.timedelta(days=2, hours=3))


def _agreement(ctx: DemoContext, item: ResearchRequest, *, accepted: dt.datetime) -> None:
    """The approved request's data use agreement, signed by its investigator two days after approval."""
    user = item.requester.user
    DataUseAgreement.objects.create(
        request=item,
        purpose=item.question,
        variables=item.variables,
        recipients=f"{user.display_name} (principal investigator)\nJordan Okonkwo-Reyes, MPH (biostatistician)",
        destroy_by=platform_today(item.decided_at) + dt.timedelta(days=2 * 365),
        terms_version=agreements.TERMS_VERSION,
        created_at=item.decided_at,
        created_by=ctx.staff,
        accepted_at=accepted,
        accepted_by=user,
        accepted_name=user.get_full_name() or user.display_name,
    )


BILLING_ADDRESSES = {  # fictitious offices of the fictitious demo institutions
    "northgate": (
        "Office of Accounts Payable",
        "1200 Northgate Drive, Suite 300|Chicago, IL 60612",
        "accounts.payable@northgate.example.edu",
    ),
    "lakeshore": (
        "Finance & Procurement Services",
        "455 Lakeshore Parkway|Cleveland, OH 44114",
        "ap@lakeshore.example.org",
    ),
    "society": (
        "Membership Services & Finance",
        "1 Market Street, Suite 1500|San Francisco, CA 94105",
        "finance@equityinmedicine.example.org",
    ),
    "riverbend": ("Business Office", "90 Riverbend Road|Pueblo, CO 81003", "business.office@riverbend.example.edu"),
}


def _billing_address(inst, key: str) -> None:
    contact, address, email = BILLING_ADDRESSES.get(key, ("Accounts Payable", "", ""))
    inst.billing_contact = contact
    inst.billing_address = address.replace("|", "\n")
    inst.billing_email = email
    inst.save(update_fields=["billing_contact", "billing_address", "billing_email"])


def _billing(ctx: DemoContext) -> None:
    today = platform_today()
    for key, inst in ctx.institutions.items():
        ParticipationThreshold.objects.get_or_create(
            institution=inst,
            defaults={
                "min_mentees": 1,
                "min_modules": 1,
                "signer_name": "Dr. Renee Washington",
                "signer_title": "Associate Dean for Diversity, Equity and Inclusion",
            },
        )
        subs = list(Subscription.objects.filter(institution=inst).order_by("-term_start"))
        if not subs:
            continue
        current = subs[0]
        _billing_address(inst, key)
        issued = current.term_start - dt.timedelta(days=45)  # invoiced ahead of the term, as finance offices expect
        Subscription.objects.filter(pk=current.pk).update(invoice_date=issued)
        InvoiceIssue.objects.get_or_create(
            subscription=current,
            defaults={
                "issued_by": ctx.staff,
                "issued_at": dt.datetime.combine(issued, dt.time(15, 0), tzinfo=dt.UTC),
            },
        )
        if key == "lakeshore":  # an unpaid invoice, past its due date
            Subscription.objects.filter(pk=current.pk).update(paid_on=None, invoice_due=today - dt.timedelta(days=10))
        elif current.paid_on is None:
            Subscription.objects.filter(pk=current.pk).update(
                paid_on=current.term_start + dt.timedelta(days=21),
                invoice_due=current.invoice_due or current.term_start + dt.timedelta(days=30),
            )


def _years_so_far(now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The previous and the current academic year, as (start, end-or-now) moments."""
    from mentormemed.outcomes.selectors import Filters, academic_year_of

    current = academic_year_of(now.date())
    spans = []
    for year in (current - 1, current):
        start, end = Filters.year(year).bounds
        spans.append((start, min(end, now - dt.timedelta(days=2))))
    return spans


# Needs with a characteristic the network offers rarely (the unmet-need view's recruitment list):
# (content area, facet key of the characteristic, share of mentees asking, results found).
PAIRED_NEEDS = [
    ("residency_applications", "lang:es", 0.35, (0, 0, 1)),
    ("navigating_bias", "id:race_ethnicity:black", 0.25, (0, 1, 2)),
]


def _paired_needs(ctx: DemoContext) -> None:
    """Mentees asking for a need together with a shared characteristic, finding almost nobody."""
    rng = ctx.rng
    now = timezone.now()
    mentees = [m for m in ctx.mentees if m.status == "active"]
    profiles = {p.membership_id: p for p in MenteeProfile.objects.filter(membership__in=mentees)}
    logs = []
    for area, prefix, share, found in PAIRED_NEEDS:
        facet = prefix
        if not MentorFacet.objects.filter(key=facet).exists():
            continue
        for mentee in mentees:
            if rng.random() > share:
                continue
            profile = profiles.get(mentee.pk)
            for start, end in _years_so_far(now):
                for _ in range(rng.randint(1, 3)):
                    when = start + dt.timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))
                    logs.append(
                        SearchLog(
                            viewer=mentee,
                            institution_id=mentee.institution_id,
                            role="mentee",
                            training_level=getattr(profile, "training_level", ""),
                            eligibility_bases=getattr(getattr(mentee, "eligibility", None), "bases", []),
                            kind="search",
                            filters={"f": [f"area:{area}", facet], "q": "", "sort": "best", "page": 1},
                            result_count=rng.choice(found),
                            created_at=when,
                        )
                    )
    SearchLog.objects.bulk_create(logs, batch_size=2000)


def _network_relationships(ctx: DemoContext) -> None:
    """Mentorships across institutions in each of the last two academic years (reciprocity): most
    mentees of the smaller members have a mentor from another institution; some of Northgate's too.
    They ended after four to five months, goals met, with the meetings they held,
    so no mentor's current load changes."""
    from mentormemed.core.onboarding import missing_steps
    from mentormemed.mentorships.demo import add_story, checkin_history
    from mentormemed.mentorships.models import EndReason, Relationship
    from mentormemed.scheduling.demo import held_meetings

    rng = ctx.rng
    now = timezone.now()
    mentors = MentorProfile.objects.filter(membership__in=ctx.mentors, membership_active=True)
    mentors = [m for m in mentors.select_related("membership") if not missing_steps(m.membership)]
    # Only mentors and mentees who finished their first steps could have a mentorship (the gate, R7).
    mentees = [m for m in ctx.mentees if m.status == "active" and not missing_steps(m)]
    by_inst: dict[int, list] = {}
    for mentor in mentors:
        by_inst.setdefault(mentor.institution_id, []).append(mentor)
    if len(by_inst) < 2:
        return
    largest = max(by_inst, key=lambda pk: len(by_inst[pk]))
    spans: dict[int, list] = defaultdict(list)
    for mentor_id, began, ended in Relationship.objects.values_list("mentor_id", "started_at", "ended_at"):
        spans[mentor_id].append((began, ended or dt.datetime.max.replace(tzinfo=dt.UTC)))
    for start, end in _years_so_far(now):
        for mentee in mentees:
            home_is_largest = mentee.institution_id == largest
            if rng.random() > (0.25 if home_is_largest else 0.9):
                continue
            others = [pk for pk in by_inst if pk != mentee.institution_id]
            # Northgate's mentees go where there are mentors: in proportion to each member's mentors.
            inst = largest if not home_is_largest else rng.choices(others, [len(by_inst[pk]) for pk in others])[0]
            # Goals met takes four months or more, and the mentorship ended before today.
            length = dt.timedelta(days=rng.randint(120, 170))
            latest = min(end, now - length - dt.timedelta(days=1))
            if latest <= start:
                continue
            started = start + dt.timedelta(seconds=rng.randint(0, int((latest - start).total_seconds())))
            # A mentor with room for the whole span: never more than their cap at once (R5).
            room = [m for m in by_inst[inst] if _overlapping(spans[m.pk], started, started + length) < m.capacity]
            if not room:
                continue
            mentor = rng.choice(room)
            spans[mentor.pk].append((started, started + length))
            request = MentorshipRequest.objects.create(
                mentee=mentee,
                mentor=mentor,
                message="I am looking for someone outside my institution who has done this.",
                state=RequestState.ACCEPTED,
                created_at=started - dt.timedelta(days=3),
                deadline=started + dt.timedelta(days=4),
                responded_at=started,
            )
            rel = Relationship.objects.create(
                mentee=mentee,
                mentor=mentor,
                request=request,
                started_at=started,
                ended_at=started + length,
                end_reason=EndReason.GOALS_MET,
                **checkin_history(rng, started=started, ended=started + length, reason=EndReason.GOALS_MET, now=now),
            )
            add_story(rng, rel, now=now)
            held_meetings(rel, now=now, rng=rng)


def _overlapping(spans: list, start: dt.datetime, end: dt.datetime) -> int:
    return sum(1 for began, ended in spans if began < end and start < ended)


def _letters(ctx: DemoContext) -> None:
    """Participation letters admins issued (the ledger's credit): mentors sharing an identity
    underrepresented in medicine receive them less often, the pattern the ledger makes visible."""
    from mentormemed.core.models import AuditEntry

    rng = ctx.rng
    now = timezone.now()
    urim_keys = ("id:race_ethnicity:black", "id:race_ethnicity:hispanic")
    urim = set(
        MentorFacet.objects.filter(key__startswith=urim_keys[0]).values_list("mentor__membership_id", flat=True)
    ) | set(MentorFacet.objects.filter(key__startswith=urim_keys[1]).values_list("mentor__membership_id", flat=True))
    for mentor in ctx.mentors:
        admin = ctx.admins.get(next((k for k, i in ctx.institutions.items() if i.pk == mentor.institution_id), ""))
        if admin is None:
            continue
        for start, end in _years_so_far(now):
            if rng.random() > (0.2 if mentor.pk in urim else 0.55):
                continue
            entry = AuditEntry.objects.create(
                actor=admin.user,
                actor_role="admin",
                institution_id=mentor.institution_id,
                action="reward.letter",
                object_type="institutions.membership",
                object_id=str(mentor.pk),
                object_repr=str(mentor)[:200],
            )
            when = start + dt.timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))
            AuditEntry.objects.filter(pk=entry.pk).update(at=when)
