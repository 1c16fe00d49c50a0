"""Erasing personal data: one definition used by the close-out (R40), a person's erasure request
and the retention sweep (people who left long ago).

Erasure keeps the coded facts the aggregate outcomes are computed from — memberships as ended
shells, request states and times, relationship dates, meeting times, evaluation scores, training
completions — and removes everything that names, describes or speaks for the person: names,
e-mail, sign-in, free text they wrote, self-described identity, contact details, files. What
is left links to no one: the account it hangs on no longer holds anything about the person.

Kept on purpose: CME credit as a ``RetainedCmeRecord`` (name, activity, date, credits) until the
accredited provider's retention period ends, and audit entries (actions, with the names and
addresses in them blanked) until the institution's audit retention ends.

The counts' labels are English keys (stored in summaries and audit details), marked for translation
so that the e-mail telling a person what was erased reads them in the person's language.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from mentormemed.lifecycle.models import RetainedCmeRecord

CME_KEEP_YEARS = 6  # ACCME: accredited providers keep participation records six years
ERASED_TEXT = ""


def _numeric(answers: dict) -> dict:
    """Answers without free text: scores stay for the aggregates, words go."""
    return {k: v for k, v in (answers or {}).items() if isinstance(v, int | float) and not isinstance(v, bool)}


def erase_membership(membership, *, counts: Counter, now: dt.datetime) -> None:
    """Erase what belongs to one membership (its profile, its words, its identity) and end it."""
    from mentormemed.accounts.models import MenteeEligibility
    from mentormemed.care.models import Case, CaseEvent, Outreach
    from mentormemed.evaluations.models import Evaluation, SurveyResponse
    from mentormemed.institutions.models import Membership, MembershipStatus
    from mentormemed.matching.models import MentorFacet
    from mentormemed.mentorships.models import Compact, Goal, MentorshipRequest, Message, Relationship
    from mentormemed.profiles.models import AffinityPreference, IdentityValue, MenteeProfile, MentorProfile
    from mentormemed.programs.models import CircleMessage, NetworkAnswer, Proposal, Question
    from mentormemed.scheduling.models import DateOff, Meeting
    from mentormemed.training.models import ActivityEvaluation, CmeClaim

    user = membership.user
    counts[gettext_noop("identity values (deleted)")] += IdentityValue.objects.filter(membership=membership).delete()[0]
    mentor = MentorProfile.objects.filter(membership=membership).first()
    if mentor is not None:
        if mentor.photo:
            mentor.photo.delete(save=False)
            counts[gettext_noop("profile photos (deleted)")] += 1
        MentorProfile.objects.filter(pk=mentor.pk).update(
            photo="",
            bio=ERASED_TEXT,
            title=ERASED_TEXT,
            availability_statement=ERASED_TEXT,
            native_language=None,
            home_state=None,
            home_country=None,
            search_consent=False,
            is_complete=False,
            accepting_new=False,
            membership_active=False,
        )
        mentor.languages.clear()
        MentorFacet.objects.filter(mentor=mentor).delete()
        from mentormemed.profiles.models import MentorSearchText
        from mentormemed.profiles.vocabulary import prune_search_words, search_words

        erased_text = MentorSearchText.objects.filter(mentor=mentor).values_list("text", flat=True).first() or ""
        MentorSearchText.objects.filter(mentor=mentor).delete()
        prune_search_words(search_words(erased_text))  # their name leaves the typo vocabulary too
        DateOff.objects.filter(availability__mentor=mentor).update(note=ERASED_TEXT)
        counts[gettext_noop("mentor profiles (de-identified)")] += 1
    mentee = MenteeProfile.objects.filter(membership=membership).first()
    if mentee is not None:
        MenteeProfile.objects.filter(pk=mentee.pk).update(
            bio=ERASED_TEXT, phone=ERASED_TEXT, home_state=None, home_country=None
        )
        mentee.languages.clear()
        AffinityPreference.objects.filter(profile=mentee).delete()
        counts[gettext_noop("mentee profiles (de-identified)")] += 1
    MenteeEligibility.objects.filter(membership=membership).update(review_note=ERASED_TEXT)

    requests = MentorshipRequest.objects.filter(Q(mentee=membership) | Q(mentor__membership=membership))
    counts[gettext_noop("request messages (text removed)")] += requests.exclude(message="", response_message="").update(
        message=ERASED_TEXT, response_message=ERASED_TEXT
    )
    relationships = Relationship.objects.filter(Q(mentee=membership) | Q(mentor__membership=membership))
    relationships.update(end_note=ERASED_TEXT)
    counts[gettext_noop("messages (deleted)")] += Message.objects.filter(
        relationship__in=relationships, sender=user
    ).delete()[0]
    counts[gettext_noop("goals (deleted)")] += Goal.objects.filter(relationship__in=relationships).delete()[0]
    counts[gettext_noop("mentoring compacts (text removed)")] += Compact.objects.filter(
        relationship__in=relationships
    ).update(expectations=ERASED_TEXT, meeting_rhythm=ERASED_TEXT)
    counts[gettext_noop("meetings (agenda, notes and place removed)")] += Meeting.objects.filter(
        relationship__in=relationships
    ).update(agenda=ERASED_TEXT, notes=ERASED_TEXT, place=ERASED_TEXT, video_url=ERASED_TEXT, cancel_reason="")
    Outreach.objects.filter(relationship__in=relationships).update(note=ERASED_TEXT)
    Proposal.objects.filter(Q(mentee=membership) | Q(mentor__membership=membership)).update(outcome_note="")

    for model, field in ((Evaluation, "mentee"), (SurveyResponse, "membership")):
        rows = model.objects.filter(**{field: membership}).only("pk", "answers")
        for row in rows:
            kept = _numeric(row.answers)
            if kept != row.answers:
                model.objects.filter(pk=row.pk).update(answers=kept)
                counts[gettext_noop("evaluation and survey answers (free text removed)")] += 1
    ActivityEvaluation.objects.filter(membership=membership).update(change_text=ERASED_TEXT, comments=ERASED_TEXT)

    keep_until = (now + dt.timedelta(days=365 * CME_KEEP_YEARS)).date()
    claims = CmeClaim.objects.filter(membership=membership).select_related("version__module")
    for claim in claims:
        RetainedCmeRecord.objects.get_or_create(
            certificate_number=claim.certificate_number,
            defaults={
                "name": user.get_full_name() or user.display_name,
                "institution_name": membership.institution.name,
                "activity": claim.version.module.title,
                "completed_on": claim.completed_on,
                "credits": claim.credits,
                "keep_until": max(keep_until, claim.completed_on + dt.timedelta(days=365 * CME_KEEP_YEARS)),
            },
        )
        counts[gettext_noop("CME claims (kept as a minimal record)")] += 1
    claims.update(npi="", licence_state="", licence_number="", board_id="", birth_month=None, birth_day=None)

    cases = Case.objects.filter(Q(reporter_membership=membership) | Q(subject_membership=membership))
    counts[gettext_noop("reports and concerns (text removed)")] += cases.update(description=ERASED_TEXT)
    CaseEvent.objects.filter(case__in=cases).update(note=ERASED_TEXT)
    counts[gettext_noop("questions to the network (text removed)")] += Question.objects.filter(asker=membership).update(
        title="(erased)", body=ERASED_TEXT
    )
    if mentor is not None:
        NetworkAnswer.objects.filter(mentor=mentor).update(body=ERASED_TEXT)
    counts[gettext_noop("circle messages (deleted)")] += CircleMessage.objects.filter(
        sender=user, circle__institution=membership.institution
    ).delete()[0]
    if membership.status != MembershipStatus.ENDED:
        Membership.objects.filter(pk=membership.pk).update(
            status=MembershipStatus.ENDED, ended_at=now, status_note="", end_reason=membership.end_reason or "left"
        )
    else:
        Membership.objects.filter(pk=membership.pk).update(status_note="")
    _blank_audit(Q(object_type="institutions.membership", object_id=str(membership.pk)))


def erase_account(user, *, counts: Counter) -> bool:
    """Erase the account itself once no open membership remains (staff accounts are never erased here)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    from mentormemed.institutions.models import Membership, MembershipStatus
    from mentormemed.notifications.models import DigestState, Notification, NotificationPreference
    from mentormemed.scheduling.models import CalendarFeed

    if user.is_staff or Membership.objects.filter(user=user).exclude(status=MembershipStatus.ENDED).exists():
        return False
    if user.email.endswith(f"@{ERASED_DOMAIN}"):
        return False
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    counts[gettext_noop("notifications (deleted)")] += Notification.objects.filter(user=user).delete()[0]
    NotificationPreference.objects.filter(user=user).delete()
    DigestState.objects.filter(user=user).delete()
    CalendarFeed.objects.filter(user=user).delete()
    # A new (unusable) password changes the session hash: every open session of the account ends.
    user.first_name = user.last_name = user.preferred_name = user.pronouns = ""
    user.email = f"erased-{user.pk}@{ERASED_DOMAIN}"
    user.is_active = False
    user.set_unusable_password()
    user.save()
    _blank_audit(Q(actor=user) | Q(object_type=settings.AUTH_USER_MODEL.lower(), object_id=str(user.pk)))
    counts[gettext_noop("accounts (name, e-mail and sign-in removed)")] += 1
    return True


ERASED_DOMAIN = "erased.invalid"


def _blank_audit(condition: Q) -> None:
    from mentormemed.core.models import AuditEntry

    AuditEntry.objects.filter(condition).update(object_repr="", ip_address=None, detail={})


def erase_person(user, *, now: dt.datetime | None = None) -> Counter:
    """A person's erasure (their request, or the retention sweep): every membership, then the account."""
    from mentormemed.institutions.models import Membership

    now = now or timezone.now()
    counts: Counter = Counter()
    for membership in Membership.objects.filter(user=user).select_related("institution", "user"):
        erase_membership(membership, counts=counts, now=now)
        counts[gettext_noop("memberships (ended, kept without personal data)")] += 1
    erase_account(user, counts=counts)
    return counts
