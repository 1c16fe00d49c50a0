"""allauth's SAML provider, keeping the assertion's authentication context (for REFEDS MFA)."""

from __future__ import annotations

from allauth.socialaccount.providers.saml.provider import SAMLProvider

AUTHN_CONTEXTS_KEY = "_authn_contexts"


class CampusSAMLProvider(SAMLProvider):
    """Same provider; ``extra_data`` also records the AuthnContextClassRef values the IdP asserted."""

    package = "allauth.socialaccount.providers.saml"  # allauth mounts that package's URLs

    def extract_extra_data(self, data):
        attributes = dict(data.get_attributes())
        attributes[AUTHN_CONTEXTS_KEY] = list(data.get_last_authn_contexts() or [])
        return attributes
