"""The acting principal convention: every write service takes ``*, acting: Actor`` (docs/architecture.md,
"The acting principal"), so it decides from the person's own role and institution, never from a bare user
or a role a view hands in. Inspects every services module; the lists below say, function by function, why
a public function does not take ``acting``. A new service that takes a bare ``actor``/``user`` fails here."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

import mentormemed
from mentormemed.core.access import Actor

APPS = Path(mentormemed.__file__).parent
# The write modules: every app's services.py, plus the programs' group services, the roster sync, the data
# lifecycle's exports and close-out, and the taxonomy.
EXTRA_MODULES = (
    "mentormemed.programs.group_services",
    "mentormemed.provisioning.roster",
    "mentormemed.lifecycle.exports",
    "mentormemed.lifecycle.closeout",
    "mentormemed.profiles.taxonomy",
)

# Names that meant "the person acting" before ``acting`` (a bare User). None may come back.
OLD_PERSON_NAMES = {"actor", "user"}

# A person-named parameter that is the *subject* of the function, not who acts.
SUBJECTS: dict[str, set[str]] = {
    "notifications.notify": {"user"},  # the recipient of the notification
    "notifications.delivery_for": {"user"},  # whose delivery preference is read
    "profiles.mentor_document": {"user"},  # the mentor whose searchable text is built
}

# Reads and computations that change nothing, so nobody acts.
HELPERS = {
    "accounts.current_agreement",
    "accounts.current_agreement_versions",
    "care.register_checkin_rhythm",  # a registry, filled in AppConfig.ready()
    "care.program_rhythms",
    "evaluations.clean_answers",
    "evaluations.scores",
    "evaluations.parse_items",
    "evaluations.format_items",
    "evaluations.graduate_token",
    "evaluations.membership_from_token",
    "institutions.criteria_lines",
    "lifecycle.contract_end",
    "lifecycle.due_closeouts",
    "lifecycle.kept_records",  # what a close-out keeps, and the certificate's rows
    "lifecycle.kept_rows",
    "lifecycle.removed_rows",
    "lifecycle.schedule_for",
    "lifecycle.step_label",  # an export's progress, worded for its reader
    "institutions.renewal_offer",
    "institutions.roster_already_members",
    "institutions.invitation_by_token",
    "institutions.invitation_problem",
    "matching.viewer_descriptor",
    "mentorships.check_gate",
    "mentorships.missed_since_reinstatement",
    "notifications.absolute",
    "notifications.day",  # a date written lazily in the reader's language
    "notifications.delivery_for",
    "outcomes.check_irb_document",
    "profiles.mentor_document",
    "profiles.check_photo",
    "profiles.taxonomy_list",
    "provisioning.role_for_group_name",
    "provisioning.parse_roster",
    "provisioning.roster_diff",
    "scheduling.feed_touch",  # stamps when a calendar app last read the feed
    "sso.sp_entity_id",
    "training.draft_of",
    "training.parse_credits",
    "training.check_resource",
    "training.content_fingerprint",
    "training.publish_problems",
    "training.best_passing_attempt",
    "training.new_certificate_number",
    "training.npi_is_valid",
}

# Work no person does: the sweep and its jobs, background tasks, signal receivers, the campus directory
# (SCIM) and sign-in callbacks, and records kept on the platform's behalf. They audit as the system.
SYSTEM = {
    "accounts.account_create_from_invitation",  # a person without an account yet, holding an invitation link
    "care.send_checkins",
    "care.on_relationship_started",
    "evaluations.send_reminders",
    "evaluations.offer_mentorship_to_graduate",
    "evaluations.graduate_interested",  # answered from an e-mailed link, signed by its token
    "institutions.roster_import_run",
    "lifecycle.notify_staff",
    "lifecycle.closeout_destroy",  # the background destruction staff confirmed (closeout_request_destroy)
    "lifecycle.export_build",  # the background task an export request queued
    "lifecycle.export_ready",
    "lifecycle.export_remove_file",  # expiry and destruction remove an archive's file
    "lifecycle.remind_staff",
    "matching.log_search",
    "matching.log_search_event",
    "matching.record_exposure",
    "matching.recommendations_shown",  # what the platform showed a mentee, recorded like log_search
    "mentorships.request_expire",
    "mentorships.maybe_suspend",
    "mentorships.refresh_responsiveness",
    "mentorships.refresh_aged_responsiveness",
    "notifications.notify",
    "notifications.send_digests",
    "outcomes.agreement_job",  # the sweep's data use agreement reminders
    "profiles.mentor_profile_for",
    "profiles.mentee_profile_for",
    "profiles.mentor_membership_sync",
    "profiles.refresh_mentor",
    "profiles.refresh_mentee",
    "programs.offer_next_best",
    "programs.send_milestone_reminders",
    "provisioning.scim_token_authenticate",
    "provisioning.scim_user_create",
    "provisioning.scim_user_replace",
    "provisioning.scim_user_delete",
    "provisioning.sync_roles",
    "provisioning.scim_group_save",
    "provisioning.scim_group_delete",
    "provisioning.roster_sync_apply",
    "scheduling.meetings_cancel_for_ended",
    "scheduling.send_reminders",
    "sso.sign_in_bind",
}

# Every person's own-record service takes ``acting`` now (issue 13): nothing is handed in as a membership.
THROUGH_MEMBERSHIP: set[str] = set()


def _modules() -> list[str]:
    found = [f"mentormemed.{path.parent.name}.services" for path in sorted(APPS.glob("*/services.py"))]
    return found + list(EXTRA_MODULES)


def _services() -> Iterator[tuple[str, inspect.Signature]]:
    for name in _modules():
        module = importlib.import_module(name)
        app = name.split(".")[1]
        for attr, fn in inspect.getmembers(module, inspect.isfunction):
            if attr.startswith("_") or fn.__module__ != module.__name__:
                continue
            yield f"{app}.{attr}", inspect.signature(fn)


def test_every_write_module_is_inspected():
    assert len(_modules()) >= 17 and len(dict(_services())) > 200


def test_no_service_takes_a_bare_user_as_the_actor():
    wrong = {
        key: sorted(set(sig.parameters) & OLD_PERSON_NAMES - SUBJECTS.get(key, set()))
        for key, sig in _services()
        if set(sig.parameters) & OLD_PERSON_NAMES - SUBJECTS.get(key, set())
    }
    assert wrong == {}, "take `*, acting: Actor` (or name the subject and list it in SUBJECTS)"


def test_acting_is_keyword_only_and_typed():
    for key, sig in _services():
        acting = sig.parameters.get("acting")
        if acting is not None:
            assert acting.kind is inspect.Parameter.KEYWORD_ONLY, key
            assert acting.annotation in ("Actor", Actor), key


def test_every_service_takes_acting_or_says_why_not():
    services = dict(_services())
    missing = sorted(
        key
        for key, sig in services.items()
        if "acting" not in sig.parameters and key not in HELPERS | SYSTEM | THROUGH_MEMBERSHIP
    )
    assert missing == [], "a public service function takes `*, acting: Actor`, or is listed above with a reason"
    stale = sorted(
        key
        for key in HELPERS | SYSTEM | THROUGH_MEMBERSHIP
        if key not in services or "acting" in services[key].parameters
    )
    assert stale == [], "remove these from the lists: they are gone or take `acting` now"


def test_the_reinstatement_takes_no_role_or_institution_from_its_caller():
    """R13: who may lift a suspension comes from the acting principal, not from arguments."""
    sig = dict(_services())["mentorships.mentor_reinstate"]
    assert not {"role", "institution", "user"} & set(sig.parameters)
    assert "acting" in sig.parameters


def test_system_and_person_constructors():
    system = Actor.system()
    assert system.is_system and system.role is None and system.institution is None
    assert not system.can("home")


@pytest.mark.django_db
def test_r13_only_the_mentors_own_admin_or_staff_reinstate_and_the_audit_records_the_acting_role(cast):
    from mentormemed.core.models import AuditEntry
    from mentormemed.mentorships import testing
    from mentormemed.mentorships.services import mentor_reinstate
    from mentormemed.profiles.models import MentorProfile

    mentor = MentorProfile.objects.get(pk=testing.matrix_suspended_mentor(cast))
    with pytest.raises(ValidationError, match="own institution"):
        mentor_reinstate(acting=Actor.for_membership(cast.admin_b), mentor=mentor, note="Answered them.")
    with pytest.raises(ValidationError, match="Only an institution admin or staff"):
        mentor_reinstate(acting=Actor.for_membership(cast.mentee), mentor=mentor, note="Answered them.")
    mentor_reinstate(acting=Actor.for_user(cast.staff), mentor=mentor, note="Answered them.")
    entry = AuditEntry.objects.get(action="mentor.reinstate")
    assert entry.actor == cast.staff and entry.actor_role == "staff"


@pytest.mark.django_db
def test_templates_ask_the_actor_for_a_permission(cast):
    page = Template('{% load access %}{% if actor|can:"training.cme" %}claim{% endif %}')
    assert page.render(Context({"actor": Actor.for_membership(cast.mentor)})) == "claim"
    assert page.render(Context({"actor": Actor.for_membership(cast.mentee)})) == ""
    assert page.render(Context({})) == ""  # an error page may have no actor


@pytest.mark.django_db
def test_r4_r8_r13_r17_services_on_own_records_work_on_the_acting_membership_only(cast):
    """A service writing a person's own records (attestation, profile, request, dates off) takes the
    membership from ``acting``: another role, staff and the system are refused, and so is a mentor
    removing another mentor's date off; the mentor's own removal goes through."""
    from django.core.exceptions import PermissionDenied

    from mentormemed.accounts import services as accounts
    from mentormemed.mentorships import services as mentorships
    from mentormemed.mentorships import testing as mentorship_testing
    from mentormemed.profiles import services as profiles
    from mentormemed.scheduling import services as scheduling
    from mentormemed.scheduling import testing as scheduling_testing
    from mentormemed.scheduling.models import DateOff

    with pytest.raises(PermissionDenied):
        accounts.eligibility_attest(
            acting=Actor.for_membership(cast.mentor),
            urim=True,
            first_generation=False,
            economically_disadvantaged=False,
        )
    with pytest.raises(PermissionDenied):
        profiles.mentee_needs_set(acting=Actor.for_user(cast.staff), areas=[])
    with pytest.raises(PermissionDenied):
        profiles.mentor_profile_save(acting=Actor.system(), fields={"capacity": 2})
    with pytest.raises(PermissionDenied):
        profiles.mentor_profile_save(acting=Actor.for_membership(cast.mentee), fields={"capacity": 2})
    mentor = mentorship_testing.matrix_mentor(cast)
    with pytest.raises(ValidationError, match="Only an active mentee"):
        mentorships.request_send(acting=Actor.for_membership(cast.mentor), mentor=mentor, message="x" * 30, areas=[])
    off = DateOff.objects.get(pk=scheduling_testing.matrix_date_off(cast))  # cast.mentor's own
    with pytest.raises(PermissionDenied):
        scheduling.date_off_remove(acting=Actor.for_membership(cast.mentor_b), date_off=off)
    assert DateOff.objects.filter(pk=off.pk).exists()
    assert scheduling.date_off_remove(acting=Actor.for_membership(cast.mentor), date_off=off) == 1
    assert not DateOff.objects.filter(pk=off.pk).exists()
