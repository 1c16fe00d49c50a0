"""Every URL × every role, generated from the URL resolver (ARCHITECTURE: permission matrix).

A new URL fails this test until its view declares a permission (``@requires``) or
``@public``, and — if it takes arguments — until ``URL_ARGS`` below says how to
build them for institution A.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mentormemed.core.access import PERMISSIONS

SKIPPED_PREFIXES = ("accounts/", "static/", "media/")
ROLES = ("mentee", "mentor", "admin", "staff")

# url name -> (kwargs for an object of institution A, is the object tenant-scoped?)
URL_ARGS: dict[str, tuple[Callable, bool]] = {
    "accounts:invitation": (lambda c: {"token": "not-a-real-token"}, False),
    "institutions:member_detail": (lambda c: {"pk": c.mentee.pk}, True),
    "institutions:member_status": (lambda c: {"pk": c.mentee.pk}, True),
    "institutions:member_review": (lambda c: {"pk": c.mentee.pk}, True),
    "institutions:invitation_action": (lambda c: {"pk": c.invitation.pk, "action": "revoke"}, True),
    "institutions:roster_import": (lambda c: {"pk": _roster_import(c)}, True),
    "institutions:roster_import_action": (lambda c: {"pk": _roster_import(c), "action": "discard"}, True),
    "staff:institution": (lambda c: {"pk": c.inst_a.pk}, False),
    "staff:institution_edit": (lambda c: {"pk": c.inst_a.pk}, False),
    "staff:subscription_start": (lambda c: {"pk": c.inst_a.pk}, False),
    "staff:invite_admin": (lambda c: {"pk": c.inst_a.pk}, False),
    "staff:subscription_action": (lambda c: {"pk": c.inst_a.subscriptions.first().pk, "action": "paid"}, False),
    "staff:price_band_edit": (lambda c: {"pk": 1}, False),
    "profiles:photo": (lambda c: {"pk": _profiles_testing().matrix_mentor(c, photo=True)}, True),
    "matching:mentor": (lambda c: {"pk": _profiles_testing().matrix_mentor(c)}, True),
    "training:module": (lambda c: {"slug": _training_testing().shared_module().slug}, False),
    "training:check": (lambda c: {"slug": _training_testing().shared_module().slug}, False),
    "training:attest": (lambda c: {"slug": _training_testing().shared_module().slug}, False),
    "training:resource": (
        lambda c: {"slug": (m := _training_testing().shared_module()).slug, "pk": m.current_version.resources.get().pk},
        False,
    ),
    "training:claim": (lambda c: {"slug": _training_testing().matrix_claim_slug(c)}, False),
    "training:certificate": (lambda c: {"number": _training_testing().matrix_claim_number(c)}, True),
    "training:verify_number": (lambda c: {"number": "MMM-2026-NOTA-REAL"}, False),
    "training:staff_module": (lambda c: {"pk": _training_testing().shared_module().pk}, False),
    "training:staff_module_preview": (lambda c: {"pk": _training_testing().shared_module().pk}, False),
    "training:staff_module_publish": (lambda c: {"pk": _training_testing().shared_module().pk}, False),
    "training:staff_module_required": (lambda c: {"pk": _training_testing().shared_module().pk}, False),
    "training:staff_draft_discard": (lambda c: {"pk": _training_testing().shared_module().pk}, False),
    "training:staff_question_new": (lambda c: {"pk": _training_testing().matrix_question(c)["pk"]}, False),
    "training:staff_question": (lambda c: _training_testing().matrix_question(c), False),
    "training:staff_question_delete": (lambda c: _training_testing().matrix_question(c), False),
    "training:staff_resource_add": (lambda c: {"pk": _training_testing().shared_module().pk}, False),
    "training:staff_resource_delete": (lambda c: _training_testing().matrix_resource(c), False),
    "training:staff_claims_export": (lambda c: {"fmt": "pars"}, False),
    "training:staff_module_translation": (
        lambda c: {"pk": _training_testing().shared_module().pk, "language": "es"},
        False,
    ),
    "mentorships:relationship": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "mentorships:message_send": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "mentorships:compact_save": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "mentorships:compact_confirm": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "mentorships:goal_add": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "mentorships:goal_progress": (lambda c: {"pk": _mentorships_testing().matrix_goal(c)}, True),
    "mentorships:end": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "mentorships:sponsor": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "mentorships:stage": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "mentorships:checkin": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "mentorships:rematch": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "mentorships:request_withdraw": (lambda c: {"pk": _mentorships_testing().matrix_request(c)}, True),
    "mentorships:request_new": (lambda c: {"mentor_id": _mentorships_testing().matrix_mentor(c).pk}, True),
    "mentorships:inbox_detail": (lambda c: {"pk": _mentorships_testing().matrix_request(c)}, True),
    "mentorships:request_accept": (lambda c: {"pk": _mentorships_testing().matrix_request(c)}, True),
    "mentorships:request_decline": (lambda c: {"pk": _mentorships_testing().matrix_request(c)}, True),
    "mentorships:reinstate": (lambda c: {"mentor_id": _mentorships_testing().matrix_suspended_mentor(c)}, True),
    "notifications:read": (lambda c: {"pk": 999999}, False),
    "evaluations:evaluate": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "evaluations:survey": (lambda c: {"kind": "program_feedback"}, False),
    "evaluations:instrument": (lambda c: {"pk": _instrument_pk()}, False),
    "evaluations:instrument_translation": (lambda c: {"pk": _instrument_pk(), "language": "es"}, False),
    "evaluations:graduate": (lambda c: {"token": "not-a-real-token"}, False),
    "outcomes:export": (lambda c: {"table": _outcomes_testing().matrix_built_table(c)}, False),
    "outcomes:national_export": (lambda c: {"table": _outcomes_testing().matrix_built_table(c)}, False),
    "outcomes:insight": (lambda c: {"slug": "ledger"}, False),
    "outcomes:national_insight": (lambda c: {"slug": "reciprocity"}, False),
    "outcomes:reward_letter": (lambda c: {"pk": _outcomes_testing().matrix_mentor_profile(c)}, True),
    "outcomes:research_document": (lambda c: {"pk": _outcomes_testing().matrix_research(c)}, True),
    "outcomes:research_agreement": (lambda c: {"pk": _outcomes_testing().matrix_research(c)}, True),
    "outcomes:research_export": (lambda c: {"pk": _outcomes_testing().matrix_research(c)}, True),
    "outcomes:staff_research_detail": (lambda c: {"pk": _outcomes_testing().matrix_research(c)}, False),
    "outcomes:staff_research_export": (lambda c: {"pk": _outcomes_testing().matrix_research(c)}, False),
    "outcomes:invoice_pdf": (lambda c: {"pk": c.inst_a.subscriptions.first().pk}, True),
    "outcomes:staff_invoice_pdf": (lambda c: {"pk": c.inst_a.subscriptions.first().pk}, False),
    "outcomes:staff_invoice_issue": (lambda c: {"pk": c.inst_a.subscriptions.first().pk}, False),
    "scheduling:meeting": (lambda c: {"pk": _scheduling_testing().matrix_meeting(c).pk}, True),
    "scheduling:reschedule": (lambda c: {"pk": _scheduling_testing().matrix_meeting(c).pk}, True),
    "scheduling:cancel": (lambda c: {"pk": _scheduling_testing().matrix_meeting(c).pk}, True),
    "scheduling:held": (lambda c: {"pk": _scheduling_testing().matrix_meeting(c).pk}, True),
    "scheduling:notes": (lambda c: {"pk": _scheduling_testing().matrix_meeting(c).pk}, True),
    "scheduling:invite": (lambda c: {"pk": _scheduling_testing().matrix_meeting(c).pk}, True),
    "scheduling:book": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "scheduling:date_off_remove": (lambda c: {"pk": _scheduling_testing().matrix_date_off(c)}, True),
    "scheduling:feed": (lambda c: {"token": "not-a-real-token"}, False),
    "profiles:staff_taxonomy_toggle": (lambda c: {"list_key": "areas", "pk": 1}, False),
    "programs:admin_detail": (lambda c: {"pk": _programs_testing().matrix_program(c).pk}, True),
    "programs:admin_edit": (lambda c: {"pk": _programs_testing().matrix_program(c).pk}, True),
    "programs:admin_invite": (lambda c: {"pk": _programs_testing().matrix_program(c).pk}, True),
    "programs:round_solve": (lambda c: {"pk": _programs_testing().matrix_program(c).pk}, True),
    "programs:round": (lambda c: {"pk": _programs_testing().matrix_round(c).pk}, True),
    "programs:round_publish": (lambda c: {"pk": _programs_testing().matrix_round(c).pk}, True),
    "programs:proposal_lock": (lambda c: {"pk": _programs_testing().matrix_draft_proposal(c)}, True),
    "programs:proposal_swap": (lambda c: {"pk": _programs_testing().matrix_draft_proposal(c)}, True),
    "programs:admin_national": (lambda c: {"pk": _programs_testing().matrix_national_program(c).pk}, True),
    "programs:staff_detail": (lambda c: {"pk": _programs_testing().matrix_national_program(c).pk}, False),
    "programs:staff_invite": (lambda c: {"pk": _programs_testing().matrix_national_program(c).pk}, False),
    "programs:staff_solve": (lambda c: {"pk": _programs_testing().matrix_national_program(c).pk}, False),
    "programs:staff_round": (lambda c: {"pk": _programs_testing().matrix_national_round(c).pk}, False),
    "programs:staff_round_publish": (lambda c: {"pk": _programs_testing().matrix_national_round(c).pk}, False),
    "programs:staff_proposal_lock": (lambda c: {"pk": _programs_testing().matrix_national_draft_proposal(c)}, False),
    "programs:staff_proposal_swap": (lambda c: {"pk": _programs_testing().matrix_national_draft_proposal(c)}, False),
    "programs:admin_circle": (lambda c: {"pk": _programs_testing().matrix_circle(c).pk}, True),
    "programs:admin_circle_seat_add": (lambda c: {"pk": _programs_testing().matrix_circle(c).pk}, True),
    "programs:admin_circle_seat_remove": (lambda c: {"pk": _programs_testing().matrix_circle_seat(c)}, True),
    "programs:admin_event": (lambda c: {"pk": _programs_testing().matrix_event(c).pk}, True),
    "programs:event_schedule": (lambda c: {"pk": _programs_testing().matrix_event(c).pk}, True),
    "programs:detail": (lambda c: {"pk": _programs_testing().matrix_program(c).pk}, True),
    "programs:join": (lambda c: {"pk": _programs_testing().matrix_program(c).pk}, True),
    "programs:withdraw": (lambda c: {"pk": _programs_testing().matrix_program(c).pk}, True),
    "programs:preference": (lambda c: {"pk": _programs_testing().matrix_program(c).pk}, True),
    "programs:introduction": (lambda c: {"pk": _programs_testing().matrix_introduction(c)}, True),
    "programs:milestone_done": (lambda c: {"pk": _mentorships_testing().matrix_relationship(c).pk}, True),
    "programs:circle": (lambda c: {"pk": _programs_testing().matrix_circle(c).pk}, True),
    "programs:circle_message": (lambda c: {"pk": _programs_testing().matrix_circle(c).pk}, True),
    "programs:circle_goal_add": (lambda c: {"pk": _programs_testing().matrix_circle(c).pk}, True),
    "programs:circle_goal_progress": (lambda c: {"pk": _programs_testing().matrix_circle_goal(c)}, True),
    "programs:circle_book": (lambda c: {"pk": _programs_testing().matrix_circle(c).pk}, True),
    "programs:circle_meeting_cancel": (lambda c: {"pk": _programs_testing().matrix_circle_meeting(c)}, True),
    "programs:circle_meeting_held": (lambda c: {"pk": _programs_testing().matrix_circle_meeting(c)}, True),
    "programs:session_book": (lambda c: {"pk": _programs_testing().matrix_session(c)}, True),
    "programs:session_cancel": (lambda c: {"pk": _programs_testing().matrix_session(c)}, True),
    "programs:event": (lambda c: {"pk": _programs_testing().matrix_event(c).pk}, True),
    "programs:question": (lambda c: {"pk": _programs_testing().matrix_question(c)}, True),
    "care:report_relationship": (lambda c: {"pk": _care_testing().matrix_relationship_pk(c)}, True),
    "care:concern": (lambda c: {"pk": _care_testing().matrix_relationship_pk(c)}, True),
    "care:report_mentor": (lambda c: {"pk": _mentorships_testing().matrix_mentor(c).pk}, True),
    "care:report_request": (lambda c: {"pk": _mentorships_testing().matrix_request(c)}, True),
    "care:block_lift": (lambda c: {"user_id": c.mentor.user.pk}, False),
    "care:checkin_answer": (lambda c: {"pk": _care_testing().matrix_checkin(c)}, True),
    "care:no_show": (lambda c: {"pk": _scheduling_testing().matrix_meeting(c).pk}, True),
    "care:duplicate": (lambda c: {"pk": _care_testing().matrix_duplicate(c)}, True),
    "care:reach_out": (lambda c: {"pk": _care_testing().matrix_health(c)}, True),
    "care:case": (lambda c: {"pk": _care_testing().matrix_case(c)}, True),
    "care:case_take": (lambda c: {"pk": _care_testing().matrix_case(c)}, True),
    "care:case_update": (lambda c: {"pk": _care_testing().matrix_case(c)}, True),
    "sso:metadata": (lambda c: {"slug": "no-such-institution"}, False),
    "sso:staff_configure": (lambda c: {"pk": c.inst_a.pk}, False),
    "provisioning:token_revoke": (lambda c: {"pk": _provisioning_testing().matrix_token(c)}, True),
    "provisioning:sync": (lambda c: {"pk": _provisioning_testing().matrix_sync(c)}, True),
    "provisioning:sync_action": (lambda c: {"pk": _provisioning_testing().matrix_sync(c), "action": "discard"}, True),
    "lifecycle:institution_export_status": (lambda c: {"pk": _lifecycle_testing().matrix_export(c)}, True),
    "lifecycle:institution_download": (lambda c: {"pk": _lifecycle_testing().matrix_export(c)}, True),
    "lifecycle:mine_export_status": (lambda c: _lifecycle_testing().matrix_own_exports(c), False),
    "lifecycle:mine_download": (lambda c: _lifecycle_testing().matrix_own_exports(c), False),
    "lifecycle:staff_institution": (lambda c: {"pk": c.inst_a.pk}, False),
    "lifecycle:staff_closeout_action": (lambda c: {"pk": c.inst_a.pk, "action": "start"}, False),
    "lifecycle:staff_certificate": (lambda c: {"pk": _lifecycle_testing().matrix_closeout(c)}, False),
    "lifecycle:staff_erasure": (lambda c: {"pk": _lifecycle_testing().matrix_erasure(c)}, False),
    # SCIM answers to its bearer token (401 without one), never to a session: @public here.
    "scim:resource_type": (lambda c: {"name": "User"}, False),
    "scim:schema": (lambda c: {"schema_id": "urn:ietf:params:scim:schemas:core:2.0:User"}, False),
    "scim:user": (lambda c: {"scim_id": "00000000-0000-0000-0000-000000000000"}, False),
    "scim:group": (lambda c: {"scim_id": "00000000-0000-0000-0000-000000000000"}, False),
    "scim:resource_search": (lambda c: {"resource": "Users"}, False),
    "scim:not_found": (lambda c: {"rest": "Nothing"}, False),
}


def _roster_import(cast) -> int:
    from mentormemed.institutions.models import RosterImport

    return RosterImport.objects.get_or_create(institution=cast.inst_a, defaults={"total": 1, "rows": []})[0].pk


def _lifecycle_testing():
    from mentormemed.lifecycle import testing

    return testing


def _provisioning_testing():
    from mentormemed.provisioning import testing

    return testing


def _profiles_testing():
    from mentormemed.profiles import testing

    return testing


def _training_testing():
    from mentormemed.training import testing

    return testing


def _scheduling_testing():
    from mentormemed.scheduling import testing

    return testing


def _mentorships_testing():
    from mentormemed.mentorships import testing

    return testing


def _programs_testing():
    from mentormemed.programs import testing

    return testing


def _care_testing():
    from mentormemed.care import testing

    return testing


def _outcomes_testing():
    from mentormemed.outcomes import testing

    return testing


def _instrument_pk() -> int:
    from mentormemed.evaluations.models import Instrument

    return Instrument.objects.get(kind="mentor_evaluation").pk


def _walk(resolvers, prefix="", namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}", entry.callback


def project_urls():
    return [
        (route, name, view)
        for route, name, view in _walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES)
    ]


def guarded_urls():
    return [(name, view.required_perm) for _, name, view in project_urls() if hasattr(view, "required_perm")]


def test_every_url_declares_access_and_arguments():
    problems = []
    for route, name, view in project_urls():
        if not (hasattr(view, "required_perm") or getattr(view, "is_public", False)):
            problems.append(f"{name} ({route}) has neither @requires nor @public")
        if "<" in route and name not in URL_ARGS:
            problems.append(f"{name} ({route}) takes arguments: add it to URL_ARGS")
    assert not problems, "\n".join(problems)


def _url(cast, name):
    kwargs_fn, _ = URL_ARGS.get(name, (lambda c: {}, False))
    return reverse(name, kwargs=kwargs_fn(cast))


def _client(cast, role, outsider=False):
    who = cast.staff if role == "staff" else cast.member(role, outsider)
    return cast.client_for(who)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "perm"), guarded_urls())
def test_anonymous_is_sent_to_sign_in(cast, name, perm):
    response = cast.client_for(None).get(_url(cast, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "perm"), guarded_urls())
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(cast, name, perm, role):
    url = _url(cast, name)
    client = _client(cast, role)
    response = client.get(url)
    if role not in PERMISSIONS[perm].roles:
        assert response.status_code == 403, f"{role} should be refused {name}"
        return
    if response.status_code == 405:  # POST-only action: the role passed the permission check
        response = client.post(url, {})
        assert response.status_code in (200, 302, 400), f"{role} POST {name}: {response.status_code}"
    else:
        assert response.status_code == 200, f"{role} GET {name}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "perm"), [(n, p) for n, p in guarded_urls() if URL_ARGS.get(n, (0, False))[1]])
def test_other_institution_gets_404(cast, name, perm):
    """Tenant isolation: the same role at institution B cannot see A's objects."""
    for role in PERMISSIONS[perm].roles - {"staff"}:
        client = _client(cast, role, outsider=True)
        url = _url(cast, name)
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, {}).status_code == 404


def _lapse(institution) -> None:
    import datetime as dt

    from django.utils import timezone

    institution.subscriptions.update(
        term_start=timezone.localdate() - dt.timedelta(days=400), term_end=timezone.localdate() - dt.timedelta(days=1)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "perm"), guarded_urls())
@pytest.mark.parametrize("role", ("mentee", "mentor", "admin"))
def test_r1_a_lapsed_subscription_pauses_exactly_what_the_permission_says(cast, name, perm, role):
    """Every URL × institution role, with A's subscription lapsed: the permission's own rule, for
    admins too (a lapsed admin keeps reports and renewal, but cannot invite)."""
    permission = PERMISSIONS[perm]
    if role not in permission.roles:
        return
    url = _url(cast, name)
    _lapse(cast.inst_a)
    client = _client(cast, role)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    paused = response.status_code == 403 and b"paused" in response.content.lower()
    assert paused is permission.paused(role), f"{role} {name}: {response.status_code}"
