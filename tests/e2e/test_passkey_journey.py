"""Journey: anyone adds a passkey and signs in with it — Chromium with a virtual authenticator (CDP WebAuthn)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from mentormemed.testing.factories import TEST_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in


def test_a_mentee_registers_a_passkey_and_signs_in_with_it(page, cast):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    user = cast.mentee.user
    sign_in(page, user.email, TEST_PASSWORD)
    page.goto("/accounts/2fa/webauthn/add/")
    if "reauthenticate" in page.url:  # adding a key asks for the password again
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url("**/webauthn/add/**")
    assert_accessible(page, context="add a passkey")
    page.get_by_label("Name").fill("Laptop passkey")
    page.get_by_label("Passwordless").check()
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    passkey = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().is_passwordless

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Use a passkey instead").click()
    page.wait_for_url("**/home/")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert credentials["credentials"][0]["signCount"] >= 1
