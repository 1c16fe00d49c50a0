"""What an institution's export and a person's own export hold: one definition, read by the
archive builder, its README/data dictionary and the tests.

Each ``Dataset`` names its columns with their meaning and yields rows for one institution (or
one person). Only the institution's own data leaves in its export: a relationship, request or
meeting with a person of another institution names our member only ("another institution" for
the other side, no id), evaluations leave as released aggregates (R18, R23), messages, goals,
compacts and notes never (R30), identity values only where the person shared them (R8).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from mentormemed.outcomes.suppression import k_min

OTHER = "another institution"


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    description: str
    columns: tuple[tuple[str, str], ...]
    rows: Callable[..., Iterable[list]]

    @property
    def header(self) -> list[str]:
        return [name for name, _meaning in self.columns]


def _when(value) -> str:
    return value.isoformat() if value else ""


def _side(membership, institution_id: int) -> str:
    """Our member's id, or "another institution" (nothing of theirs leaves in our export)."""
    return str(membership.pk) if membership.institution_id == institution_id else OTHER


# ------------------------------------------------------------------ institution datasets


def _institution(inst) -> Iterator[list]:
    yield [
        inst.pk,
        inst.name,
        inst.get_kind_display(),
        inst.state.code if inst.state_id else "",
        inst.eligible_headcount,
        inst.mentor_commitment,
        inst.time_zone,
        inst.billing_contact,
        inst.billing_address.replace("\n", "; "),
        inst.billing_email,
    ]


def _members(inst) -> Iterator[list]:
    from mentormemed.institutions.models import Membership

    for m in Membership.objects.filter(institution=inst).select_related("user").order_by("pk").iterator(2000):
        u = m.user
        yield [
            m.pk,
            u.first_name,
            u.last_name,
            u.preferred_name,
            u.pronouns,
            u.email,
            m.role,
            m.status,
            _when(m.created_at),
            _when(m.ended_at),
            m.end_reason,
        ]


def _mentee_profiles(inst) -> Iterator[list]:
    from mentormemed.profiles.models import MenteeProfile

    profiles = (
        MenteeProfile.objects.filter(membership__institution=inst)
        .select_related("membership__eligibility", "home_state", "home_country")
        .prefetch_related("needs__content_area", "languages")
        .order_by("membership_id")
    )
    for p in profiles.iterator(1000):
        eligibility = getattr(p.membership, "eligibility", None)
        yield [
            p.membership_id,
            p.training_level,
            ";".join(sorted(eligibility.bases)) if eligibility else "",
            eligibility.status if eligibility else "",
            _when(eligibility.attested_at) if eligibility else "",
            ";".join(n.content_area.key for n in sorted(p.needs.all(), key=lambda n: n.rank)),
            ";".join(sorted(lang.key for lang in p.languages.all())) if p.languages_shared else "",
            p.bio,
            "yes" if p.consent_matching else "no",
            "yes" if p.consent_analytics else "no",
            "yes" if p.consent_research else "no",
        ]


def _mentor_profiles(inst) -> Iterator[list]:
    from mentormemed.profiles.models import MentorProfile

    profiles = (
        MentorProfile.objects.filter(membership__institution=inst)
        .prefetch_related("specialties", "content_areas")
        .order_by("membership_id")
    )
    for p in profiles.iterator(1000):
        yield [
            p.membership_id,
            p.title,
            p.academic_rank,
            ";".join(sorted(s.name for s in p.specialties.all())),
            ";".join(sorted(a.key for a in p.content_areas.all())),
            p.scope,
            p.capacity,
            p.active_mentee_count,
            "yes" if p.search_consent else "no",
            _when(p.suspended_at),
            "" if p.median_response_hours is None else p.median_response_hours,
            "" if p.answer_rate is None else p.answer_rate,
        ]


def _identity(inst) -> Iterator[list]:
    from mentormemed.profiles.models import IdentityValue

    values = (
        IdentityValue.objects.filter(membership__institution=inst, shared=True)
        .select_related("option__dimension")
        .order_by("membership_id", "option__dimension__position", "option__position")
    )
    for v in values.iterator(2000):
        yield [v.membership_id, v.option.dimension.key, v.option.key, v.option.name, v.write_in]


def _requests(inst) -> Iterator[list]:
    from django.db.models import Q

    from mentormemed.mentorships.models import MentorshipRequest

    rows = (
        MentorshipRequest.objects.filter(Q(mentee__institution=inst) | Q(mentor__membership__institution=inst))
        .select_related("mentee", "mentor__membership")
        .prefetch_related("areas")
        .order_by("pk")
    )
    for r in rows.iterator(2000):
        yield [
            r.pk,
            _side(r.mentee, inst.pk),
            _side(r.mentor.membership, inst.pk),
            r.state,
            _when(r.created_at),
            _when(r.deadline),
            _when(r.responded_at),
            ";".join(sorted(a.key for a in r.areas.all())),
        ]


def _relationships(inst) -> Iterator[list]:
    from django.db.models import Q

    from mentormemed.mentorships.models import Relationship

    rows = (
        Relationship.objects.filter(Q(mentee__institution=inst) | Q(mentor__membership__institution=inst))
        .select_related("mentee", "mentor__membership")
        .order_by("pk")
    )
    for r in rows.iterator(2000):
        local = r.mentee.institution_id == r.mentor.membership.institution_id
        yield [
            r.pk,
            _side(r.mentee, inst.pk),
            _side(r.mentor.membership, inst.pk),
            r.stage,
            _when(r.started_at),
            _when(r.ended_at),
            r.end_reason,
            "yes" if r.is_sponsor else "no",
            "yes" if local else "no",
        ]


def _meetings(inst) -> Iterator[list]:
    from django.db.models import Q

    from mentormemed.scheduling.models import Meeting

    rows = Meeting.objects.filter(
        Q(relationship__mentee__institution=inst) | Q(relationship__mentor__membership__institution=inst)
    ).order_by("pk")
    for m in rows.iterator(2000):
        yield [m.pk, m.relationship_id, _when(m.starts_at), _when(m.ends_at), m.status, _when(m.held_at)]


def _evaluations(inst) -> Iterator[list]:
    """Per mentor of ours: the released batch only (the first ⌊n/k⌋·k evaluations), never one answer."""
    from mentormemed.evaluations.models import Evaluation

    k = k_min()
    by_mentor: dict[int, list[tuple[float | None, float | None]]] = {}
    submitted = (
        Evaluation.objects.filter(mentor__membership__institution=inst, submitted_at__isnull=False)
        .order_by("mentor__membership_id", "submitted_at", "pk")
        .values_list("mentor__membership_id", "competency_mean", "overall")
    )
    for mentor_id, competency, overall in submitted.iterator(5000):
        by_mentor.setdefault(mentor_id, []).append((competency, overall))
    for mentor_id, values in by_mentor.items():
        released = values[: len(values) // k * k]
        if not released:
            yield [mentor_id, len(values), 0, "", ""]
            continue
        comp = [c for c, _over in released if c is not None]
        over = [o for _comp, o in released if o is not None]
        yield [
            mentor_id,
            len(values),
            len(released),
            f"{sum(comp) / len(comp):.2f}" if comp else "",
            f"{sum(over) / len(over):.2f}" if over else "",
        ]


def _training(inst) -> Iterator[list]:
    from mentormemed.training.models import Completion

    rows = (
        Completion.objects.filter(membership__institution=inst)
        .select_related("version__module")
        .order_by("membership_id", "pk")
    )
    for c in rows.iterator(2000):
        yield [
            c.membership_id,
            c.version.module.slug,
            c.version.module.title,
            c.version.version,
            "" if c.score is None else c.score,
            "yes" if c.passed else "no",
            _when(c.attested_at),
        ]


def _cme(inst) -> Iterator[list]:
    from mentormemed.training.models import CmeClaim

    rows = (
        CmeClaim.objects.filter(membership__institution=inst)
        .select_related("version__module", "membership__user")
        .order_by("pk")
    )
    for c in rows.iterator(2000):
        yield [
            c.membership_id,
            c.membership.user.display_name,
            c.version.module.title,
            c.credits,
            _when(c.completed_on),
            c.certificate_number,
            _when(c.claimed_at),
        ]


def _invoices(inst) -> Iterator[list]:
    from mentormemed.institutions.models import Subscription

    for s in Subscription.objects.filter(institution=inst).select_related("issue").order_by("term_start"):
        issue = getattr(s, "issue", None)
        yield [
            s.invoice_number,
            s.band_name,
            s.fee,
            _when(s.term_start),
            _when(s.term_end),
            _when(s.invoice_date),
            _when(s.invoice_due),
            _when(s.paid_on),
            _when(s.ended_on),
            _when(issue.issued_at) if issue else "",
        ]


def _audit(inst) -> Iterator[list]:
    import json

    from mentormemed.core.models import AuditEntry
    from mentormemed.institutions.models import Membership

    ours = dict(Membership.objects.filter(institution=inst).values_list("user_id", "pk"))
    rows = AuditEntry.objects.filter(institution=inst).order_by("at", "pk")
    for e in rows.iterator(5000):
        actor = (
            "platform staff" if e.actor_role == "staff" else ours.get(e.actor_id, "" if e.actor_id is None else OTHER)
        )
        yield [
            _when(e.at),
            actor,
            e.actor_role,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            json.dumps(e.detail),
        ]


MEMBER = ("member_id", _("The member's id in this export (members.csv); one person may hold several roles"))

INSTITUTION_DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "institution",
        _("The institution"),
        _("The institution's record and billing details."),
        (
            ("institution_id", _("Our id of the institution")),
            ("name", _("Name")),
            ("kind", _("Kind of institution")),
            ("state", _("US state (postal code)")),
            ("eligible_headcount", _("Eligible UME and GME trainees (sets the price band)")),
            ("mentor_commitment", _("Mentors the institution committed to supply")),
            ("time_zone", _("Time zone")),
            ("billing_contact", _("Billing contact")),
            ("billing_address", _("Billing address (lines separated by ';')")),
            ("billing_email", _("Billing e-mail")),
        ),
        _institution,
    ),
    Dataset(
        "members",
        _("Members"),
        _("Every membership, open or ended, with the person's name and e-mail."),
        (
            MEMBER,
            ("first_name", _("First name")),
            ("last_name", _("Last name")),
            ("preferred_name", _("Preferred first name")),
            ("pronouns", _("Pronouns")),
            ("email", _("E-mail address (sign-in)")),
            ("role", _("mentee, mentor or admin")),
            ("status", _("active, suspended or ended")),
            ("joined_at", _("When the membership started (UTC, ISO 8601)")),
            ("ended_at", _("When it ended")),
            ("end_reason", _("graduated, left or removed")),
        ),
        _members,
    ),
    Dataset(
        "mentee_profiles",
        _("Mentee profiles"),
        _("Each mentee's training level, eligibility, areas of need and consents."),
        (
            MEMBER,
            ("training_level", _("MS1–MS4, PGY-n or fellow")),
            ("eligibility_bases", _("urim, first_generation, economically_disadvantaged (';'-separated)")),
            ("eligibility_status", _("pending, confirmed or rejected by the institution")),
            ("eligibility_attested_at", _("When the mentee attested")),
            ("areas_of_need", _("Content areas, most important first")),
            ("languages", _("Languages, where the mentee shares them")),
            ("bio", _("The mentee's own introduction")),
            ("consent_matching", _("Consents to matching on identity")),
            ("consent_analytics", _("Consents to aggregate analytics")),
            ("consent_research", _("Consents to research use")),
        ),
        _mentee_profiles,
    ),
    Dataset(
        "mentor_profiles",
        _("Mentor profiles"),
        _("Each mentor's professional profile, capacity and responsiveness."),
        (
            MEMBER,
            ("title", _("Title")),
            ("academic_rank", _("Academic rank")),
            ("specialties", _("Specialties")),
            ("content_areas", _("Content areas offered")),
            ("scope", _("local or national")),
            ("capacity", _("Mentees the mentor accepts at once (at most 3)")),
            ("active_mentees", _("Active mentees at export time")),
            ("search_consent", _("Consented to be searched")),
            ("suspended_at", _("Suspended for missed responses (empty: not suspended)")),
            ("median_response_hours", _("Median hours to answer a request")),
            ("answer_rate", _("Share of requests answered in time")),
        ),
        _mentor_profiles,
    ),
    Dataset(
        "identity_shared",
        _("Shared identity characteristics"),
        _("Self-described characteristics the person chose to share. Private values are not exported."),
        (
            MEMBER,
            ("dimension", _("Characteristic (e.g. race_ethnicity, languages)")),
            ("option_key", _("Answer key")),
            ("option", _("Answer as shown")),
            ("write_in", _("The person's own words, where they wrote some")),
        ),
        _identity,
    ),
    Dataset(
        "requests",
        _("Mentorship requests"),
        _(
            "Requests sent or received by our members (no message text). The other side of a request"
            ' with another institution is "another institution".'
        ),
        (
            ("request_id", _("Request id")),
            ("mentee_member_id", _('Our mentee\'s member id, or "another institution"')),
            ("mentor_member_id", _('Our mentor\'s member id, or "another institution"')),
            ("state", _("pending, accepted, declined, expired or withdrawn")),
            ("created_at", _("Sent")),
            ("deadline", _("Answer due")),
            ("responded_at", _("Answered")),
            ("areas", _("Content areas the request was about")),
        ),
        _requests,
    ),
    Dataset(
        "relationships",
        _("Mentorships"),
        _("Relationship metadata only: messages, goals, compacts and notes are never exported."),
        (
            ("relationship_id", _("Relationship id")),
            ("mentee_member_id", _('Our mentee\'s member id, or "another institution"')),
            ("mentor_member_id", _('Our mentor\'s member id, or "another institution"')),
            ("stage", _("initiation, cultivation, separation or redefinition")),
            ("started_at", _("Started")),
            ("ended_at", _("Ended (empty: running)")),
            ("end_reason", _("Why it ended")),
            ("sponsor", _("The mentor acts as sponsor")),
            ("local", _("Mentee and mentor are of the same institution")),
        ),
        _relationships,
    ),
    Dataset(
        "meetings",
        _("Meetings"),
        _("Meetings of those mentorships: times and status, no agenda, notes or links."),
        (
            ("meeting_id", _("Meeting id")),
            ("relationship_id", _("Relationship (relationships.csv)")),
            ("starts_at", _("Start (UTC)")),
            ("ends_at", _("End (UTC)")),
            ("status", _("scheduled, cancelled, held, …")),
            ("held_at", _("Marked as held")),
        ),
        _meetings,
    ),
    Dataset(
        "evaluations_aggregate",
        _("Evaluations of our mentors, in aggregate"),
        _(
            "Per mentor, the means of the released batch of evaluations: the first ⌊n/k⌋·k of n, with"
            " k the small-cell minimum, so no single mentee's answers can be recovered."
        ),
        (
            ("mentor_member_id", _("Our mentor's member id")),
            ("evaluations", _("Evaluations submitted")),
            ("released", _("Evaluations in the released batch (0: too few, means empty)")),
            ("competency_mean", _("Mean competency score of the batch (1–7)")),
            ("overall_mean", _("Mean overall rating of the batch (1–7)")),
        ),
        _evaluations,
    ),
    Dataset(
        "training",
        _("Training completions"),
        _("Modules completed and attested."),
        (
            MEMBER,
            ("module", _("Module key")),
            ("module_title", _("Module title")),
            ("version", _("Version completed")),
            ("score", _("Knowledge check score (per cent)")),
            ("passed", _("Passed the knowledge check")),
            ("attested_at", _("Attested")),
        ),
        _training,
    ),
    Dataset(
        "cme_claims",
        _("CME claims"),
        _(
            "AMA PRA Category 1 Credit™ claimed by our mentors. NPI, licence and birth date stay with"
            " the accredited provider's PARS export."
        ),
        (
            MEMBER,
            ("name", _("Name on the certificate")),
            ("activity", _("Activity")),
            ("credits", _("Credits claimed")),
            ("completed_on", _("Completed")),
            ("certificate_number", _("Certificate number")),
            ("claimed_at", _("Claimed")),
        ),
        _cme,
    ),
    Dataset(
        "invoices",
        _("Subscriptions and invoices"),
        _("Every subscription term and its invoice."),
        (
            ("invoice_number", _("Invoice number")),
            ("band", _("Price band")),
            ("fee", _("Annual fee (USD)")),
            ("term_start", _("Term start")),
            ("term_end", _("Term end")),
            ("invoice_date", _("Invoice date")),
            ("invoice_due", _("Due")),
            ("paid_on", _("Paid")),
            ("ended_on", _("Ended early")),
            ("issued_at", _("Issued by MentorMeMed")),
        ),
        _invoices,
    ),
    Dataset(
        "audit_log",
        _("Audit log"),
        _("Every audited action concerning the institution, oldest first."),
        (
            ("at", _("When (UTC)")),
            ("actor", _('Our member id of who acted, "platform staff", "another institution" or empty (the system)')),
            ("actor_role", _("Role they acted in")),
            ("action", _("What was done")),
            ("object_type", _("Kind of record")),
            ("object_id", _("Record id")),
            ("object_repr", _("Record as shown then")),
            ("detail", _("Details (JSON)")),
        ),
        _audit,
    ),
)
