"""Campus sign-in rules (R33) without a browser: claims, binding, discovery, configuration."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from mentormemed.core.access import Actor
from mentormemed.institutions.models import Membership
from mentormemed.institutions.services import invitation_create, membership_set_status
from mentormemed.sso import claims
from mentormemed.sso.models import REFEDS_MFA
from mentormemed.sso.selectors import find_identity_providers, sso_required_for
from mentormemed.sso.services import IdpSettings, SignInRefused, identity_provider_save, sign_in_bind
from mentormemed.testing.factories import UserFactory

IDP_XML = """<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.alpha.edu/idp">
<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
<ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
 Location="https://idp.alpha.edu/idp/profile/SAML2/Redirect/SSO"/>
</md:IDPSSODescriptor></md:EntityDescriptor>"""


@pytest.fixture
def idp(cast):
    from mentormemed.sso.keys import sp_key_pair

    cert, _key = sp_key_pair("idp.alpha.edu")
    data = IdpSettings(
        protocol="saml",
        display_name="Alpha login",
        email_domains="alpha.edu",
        metadata_xml=IDP_XML.format(cert=cert),
        mentor_affiliations="faculty",
        mentee_affiliations="student",
    )
    return identity_provider_save(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, data=data)


def _claims(email: str, uid: str = "", **kw) -> claims.Claims:
    return claims.Claims(uid=uid or email, email=email, **kw)


def test_saml_claims_read_the_eduperson_oids_and_refeds_mfa():
    found = claims.from_saml(
        uid="x",
        attributes={
            "urn:oid:0.9.2342.19200300.100.1.3": ["Ada@Alpha.edu"],
            "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": ["ada@alpha.edu"],
            "urn:oid:2.5.4.42": ["Ada"],
            "urn:oid:2.5.4.4": ["Lovelace"],
            "urn:oid:1.3.6.1.4.1.5923.1.1.1.9": ["faculty@med.alpha.edu", "member@alpha.edu"],
        },
        authn_contexts=[REFEDS_MFA],
    )
    assert (found.email, found.first_name, found.last_name) == ("ada@alpha.edu", "Ada", "Lovelace")
    assert found.affiliations == {"faculty", "member"} and found.mfa
    override = claims.from_saml(
        uid="x", attributes={"campusMail": ["z@alpha.edu"]}, authn_contexts=[], overrides={"email": ["campusMail"]}
    )
    assert override.email == "z@alpha.edu" and not override.mfa


def test_r33_configuring_parses_the_metadata_and_refuses_bad_input_with_a_sentence(cast, idp):
    assert idp.app.settings["idp"]["sso_url"] == "https://idp.alpha.edu/idp/profile/SAML2/Redirect/SSO"
    assert idp.app.settings["advanced"]["x509cert"]  # our SP certificate
    with pytest.raises(ValidationError, match="could not read the SAML metadata"):
        identity_provider_save(
            acting=Actor.for_user(cast.admin.user),
            institution=cast.inst_b,
            data=IdpSettings(protocol="saml", display_name="Beta", metadata_xml="<nope"),
        )
    with pytest.raises(ValidationError, match="metadata"):
        identity_provider_save(
            acting=Actor.for_user(cast.admin.user),
            institution=cast.inst_b,
            data=IdpSettings(protocol="saml", display_name="Beta"),
        )


def test_r33_discovery_by_domain_parent_domain_and_name(idp):
    assert find_identity_providers("someone@alpha.edu") == [idp]
    assert find_identity_providers("someone@med.alpha.edu") == [idp]
    assert find_identity_providers("someone@notalpha.edu") == []
    assert find_identity_providers("Alpha School") == [idp]


def test_r33_an_invitation_binds_and_a_changed_email_follows_the_stable_identifier(cast, idp):
    invitation_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, email="ada@alpha.edu", role="mentee"
    )
    first = sign_in_bind(idp=idp, claims=_claims("ada@alpha.edu", uid="ada-uid"))
    assert first.membership.role == "mentee" and first.user.email == "ada@alpha.edu"
    again = sign_in_bind(idp=idp, claims=_claims("ada.lovelace@alpha.edu", uid="ada-uid"), known_user=first.user)
    assert again.user.pk == first.user.pk
    again.user.refresh_from_db()
    assert again.user.email == "ada.lovelace@alpha.edu"
    assert EmailAddress.objects.get(user=again.user, primary=True).email == "ada.lovelace@alpha.edu"


def test_r33_an_identity_never_attaches_to_another_institutions_account(cast, idp):
    with pytest.raises(SignInRefused, match="not part of Alpha School of Medicine"):
        sign_in_bind(idp=idp, claims=_claims(cast.mentee_b.user.email))
    assert not Membership.objects.filter(user=cast.mentee_b.user, institution=cast.inst_a).exists()


def test_r33_a_member_matches_by_verified_address_and_an_ended_member_is_refused(cast, idp):
    user = cast.mentor.user
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    assert sign_in_bind(idp=idp, claims=_claims(user.email)).membership == cast.mentor
    membership_set_status(
        acting=Actor.for_user(cast.admin.user), membership=cast.mentor, status="ended", end_reason="left"
    )
    with pytest.raises(SignInRefused, match="has ended"):
        sign_in_bind(idp=idp, claims=_claims(user.email), known_user=user)


def test_r33_jit_joins_only_allowed_affiliations(cast, idp):
    with pytest.raises(SignInRefused, match="has not invited you"):
        sign_in_bind(idp=idp, claims=_claims("prof@alpha.edu", affiliations=frozenset({"faculty"})))
    idp.jit_enabled = True
    idp.save()
    assert (
        sign_in_bind(idp=idp, claims=_claims("prof@alpha.edu", affiliations=frozenset({"faculty"}))).membership.role
        == "mentor"
    )
    assert (
        sign_in_bind(idp=idp, claims=_claims("stu@alpha.edu", affiliations=frozenset({"student"}))).membership.role
        == "mentee"
    )
    with pytest.raises(SignInRefused):
        sign_in_bind(idp=idp, claims=_claims("guest@alpha.edu", affiliations=frozenset({"affiliate"})))


def test_r33_require_sso_covers_members_of_the_institution_only(cast, idp):
    assert sso_required_for(cast.mentee.user) is None
    idp.require_sso = True
    idp.save()
    assert sso_required_for(cast.mentee.user) == idp
    assert sso_required_for(cast.mentee_b.user) is None
    assert sso_required_for(cast.staff) is None
    assert sso_required_for(UserFactory(email="nobody@alpha.edu")) is None


def test_r33_staff_configure_any_institution_and_admins_only_their_own(cast, idp):
    from django.urls import reverse

    assert cast.client_for(cast.staff).get(reverse("sso:staff_configure", args=[cast.inst_b.pk])).status_code == 200
    page = cast.client_for(cast.admin).get(reverse("sso:configure")).content.decode()
    assert "/sso/alpha-school-of-medicine/metadata/" in page
    response = cast.client_for(cast.admin).get(reverse("sso:metadata", args=[idp.slug]))
    assert response.status_code == 200 and b"PrivacyStatementURL" in response.content
