"""Journeys (R33): campus sign-in through real identity providers started on loopback —
a pysaml2 SAML IdP and the node ``oidc-provider`` OpenID Provider."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount

from mentormemed.core.access import Actor
from mentormemed.institutions.models import Membership
from mentormemed.institutions.services import invitation_create
from mentormemed.sso.models import IdentityProvider
from mentormemed.sso.services import IdpSettings, identity_provider_save
from mentormemed.sso.testing.saml_idp import IdpUser, SamlIdp
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET
from tests.e2e.conftest import assert_accessible, sign_in

ADMIN_OTP = "246810"


@pytest.fixture(scope="module")
def saml_idp():
    users = {
        "nkemi": IdpUser(
            password="campus-pass-1",
            mail="nkemi.obi@alpha.edu",
            eppn="nobi@alpha.edu",
            given_name="Nkemi",
            surname="Obi",
            affiliations=["student", "member"],
        ),
        "walker": IdpUser(
            password="campus-pass-2",
            mail="t.walker@alpha.edu",
            eppn="twalker@alpha.edu",
            given_name="Tom",
            surname="Walker",
            affiliations=["student"],
        ),
        "director": IdpUser(
            password="campus-pass-3",
            mail="admin@alpha.edu",
            eppn="director@alpha.edu",
            given_name="Dana",
            surname="Director",
            affiliations=["faculty", "staff"],
            otp=ADMIN_OTP,
        ),
    }
    idp = SamlIdp(users=users, name="Alpha University Login").start()
    yield idp
    idp.stop()


def _campus_login(page, username: str, password: str, *, query: str = "someone@alpha.edu", otp: str = "") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Institution e-mail or name").fill(query)
    page.get_by_role("button", name="Find my campus login").click()
    page.get_by_role("button", name="Continue to Alpha campus login").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    if otp:
        page.get_by_label("One-time code").fill(otp)
    page.get_by_role("button", name="Log in").click()


def _connect_saml(cast, saml_idp, **overrides) -> IdentityProvider:
    data = IdpSettings(
        protocol="saml",
        display_name="Alpha campus login",
        email_domains="alpha.edu",
        metadata_url=saml_idp.metadata_url,
        **overrides,
    )
    return identity_provider_save(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, data=data)


def test_r33_admin_connects_the_campus_idp_and_an_invited_mentee_signs_in_through_it(page, cast, saml_idp):
    invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="nkemi.obi@alpha.edu", role="mentee"
    )
    sign_in(page, "admin@alpha.edu", TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.goto("/manage/sign-in/")
    assert_accessible(page, context="campus sign-in settings")
    page.get_by_label("SAML 2.0").check()
    page.get_by_label("Button name").fill("Alpha campus login")
    page.get_by_label("Email domains").fill("alpha.edu")
    page.get_by_label("SAML: IdP metadata URL").fill(saml_idp.metadata_url)
    page.get_by_role("button", name="Save campus sign-in").click()
    page.get_by_text("Alpha campus login is saved").wait_for()
    page.get_by_text("/sso/alpha-school-of-medicine/metadata/").first.wait_for()
    page.context.clear_cookies()

    _campus_login(page, "nkemi", "campus-pass-1", query="nkemi.obi@alpha.edu")
    page.wait_for_url("**/home/")
    membership = Membership.objects.get(user__email="nkemi.obi@alpha.edu")
    assert (membership.institution, membership.role, membership.status) == (cast.inst_a, "mentee", "active")
    account = SocialAccount.objects.get(user=membership.user)
    assert account.provider == "saml-alpha-school-of-medicine"
    assert membership.user.first_name == "Nkemi"
    assert not membership.user.has_usable_password()


def test_r33_an_unknown_person_is_refused_when_jit_is_off(page, cast, saml_idp):
    _connect_saml(cast, saml_idp)
    _campus_login(page, "walker", "campus-pass-2")
    page.get_by_text("Alpha campus login recognised you, but Alpha School of Medicine has not invited you").wait_for()
    assert_accessible(page, context="sign-in refused")
    assert not Membership.objects.filter(user__email="t.walker@alpha.edu").exists()


def test_r33_required_sso_refuses_the_password_and_says_where_to_go(page, cast, saml_idp):
    _connect_saml(cast, saml_idp, require_sso=True)
    sign_in_attempt = cast.mentee.user.email
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(sign_in_attempt)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_text("Alpha School of Medicine requires you to sign in through Alpha campus login").wait_for()
    page.goto("/home/")
    assert "/accounts/login/" in page.url  # not signed in


def test_r33_refeds_mfa_satisfies_the_admin_rule_and_its_absence_does_not(page, cast, saml_idp):
    _connect_saml(cast, saml_idp)
    _campus_login(page, "director", "campus-pass-3", otp=ADMIN_OTP)
    page.get_by_role("heading", name="Alpha School of Medicine").first.wait_for()
    assert "/accounts/2fa/" not in page.url
    page.goto("/manage/members/")
    assert page.url.endswith("/manage/members/")  # no second-factor detour: the IdP did MFA

    page.context.clear_cookies()
    _campus_login(page, "director", "campus-pass-3")
    page.wait_for_url("**/accounts/2fa/authenticate/**")  # password-only at the IdP: our TOTP still applies
    page.goto("/manage/members/")
    assert "/manage/members/" not in page.url


OIDC_SLUG = "alpha-school-of-medicine"


@pytest.fixture(scope="module")
def oidc_provider(live_server):
    from mentormemed.sso.testing.oidc import OidcProvider

    callback = f"{live_server.url}/accounts/oidc/oidc-{OIDC_SLUG}/login/callback/"
    op = OidcProvider(
        clients=[
            {
                "client_id": "mentormemed-alpha",
                "client_secret": "alpha-client-secret-for-tests",
                "redirect_uris": [callback],
                "token_endpoint_auth_method": "client_secret_post",
            }
        ],
        accounts={
            "lopez": {
                "email": "r.lopez@alpha.edu",
                "email_verified": True,
                "given_name": "Rosa",
                "family_name": "Lopez",
                "eduperson_affiliation": ["faculty", "member"],
            }
        },
    ).start()
    yield op
    op.stop()


def test_r33_openid_connect_sign_in_joins_a_faculty_member_just_in_time_as_mentor(page, cast, oidc_provider):
    identity_provider_save(
        acting=Actor.for_user(cast.admin.user),
        institution=cast.inst_a,
        data=IdpSettings(
            protocol="oidc",
            display_name="Alpha campus login",
            email_domains="alpha.edu",
            issuer=oidc_provider.issuer,
            client_id="mentormemed-alpha",
            client_secret="alpha-client-secret-for-tests",
            jit_enabled=True,
        ),
    )
    page.goto("/accounts/login/")
    page.get_by_label("Institution e-mail or name").fill("Alpha School")
    page.get_by_role("button", name="Find my campus login").click()
    page.get_by_role("button", name="Continue to Alpha campus login").click()
    page.get_by_placeholder("Enter any login").fill("lopez")
    page.get_by_placeholder("and password").fill("any-password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # the provider's consent screen
    page.wait_for_url("**/home/")
    membership = Membership.objects.get(user__email="r.lopez@alpha.edu")
    assert (membership.institution, membership.role) == (cast.inst_a, "mentor")
    assert SocialAccount.objects.get(user=membership.user).provider == f"oidc-{OIDC_SLUG}"
    page.goto("/onboarding/")
    page.get_by_text("criteria", exact=False).first.wait_for()  # R5 still applies to a JIT mentor
