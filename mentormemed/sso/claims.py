"""What a campus IdP says about a person, read the same way for SAML and OpenID Connect.

SAML attribute names default to the eduPerson / InCommon OIDs with the friendly names as
fallbacks; an institution may override any list (``IdentityProvider.attribute_overrides``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mentormemed.sso.models import REFEDS_MFA

# key -> attribute names tried in order (first one present wins).
SAML_DEFAULT_ATTRIBUTES: dict[str, list[str]] = {
    "uid": [
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.13",  # eduPersonUniqueId
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",  # eduPersonPrincipalName
        "eduPersonPrincipalName",
    ],
    "email": ["urn:oid:0.9.2342.19200300.100.1.3", "mail", "email"],
    "eppn": ["urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "eduPersonPrincipalName"],
    "first_name": ["urn:oid:2.5.4.42", "givenName"],
    "last_name": ["urn:oid:2.5.4.4", "sn", "surname"],
    "affiliation": [
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",  # eduPersonAffiliation
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",  # eduPersonScopedAffiliation
        "eduPersonAffiliation",
        "eduPersonScopedAffiliation",
    ],
}
OIDC_DEFAULT_CLAIMS: dict[str, list[str]] = {
    "email": ["email"],
    "eppn": ["eduperson_principal_name", "eppn", "upn"],
    "first_name": ["given_name"],
    "last_name": ["family_name"],
    "affiliation": ["eduperson_affiliation", "eduperson_scoped_affiliation", "affiliation"],
}
# The names allauth's own SAML provider reads (uid, e-mail and names); affiliation and ePPN we read.
ALLAUTH_SAML_KEYS = ("uid", "email", "first_name", "last_name")


def saml_mapping(overrides: dict | None = None) -> dict[str, list[str]]:
    merged = {key: list(names) for key, names in SAML_DEFAULT_ATTRIBUTES.items()}
    for key, names in (overrides or {}).items():
        if key in merged and names:
            merged[key] = [names] if isinstance(names, str) else list(names)
    return merged


@dataclass(frozen=True)
class Claims:
    uid: str
    email: str = ""
    eppn: str = ""
    first_name: str = ""
    last_name: str = ""
    affiliations: frozenset[str] = field(default_factory=frozenset)
    mfa: bool = False

    @property
    def addresses(self) -> list[str]:
        """Addresses that may match an invitation or roster row: the e-mail, and the ePPN when it is one."""
        found = [self.email] if self.email else []
        if "@" in self.eppn and self.eppn not in found:
            found.append(self.eppn)
        return found


def _values(source: dict, names: list[str]) -> list[str]:
    for name in names:
        value = source.get(name)
        if value in (None, "", []):
            continue
        return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    return []


def _first(source: dict, names: list[str]) -> str:
    values = _values(source, names)
    return values[0].strip() if values else ""


def _affiliations(values: list[str]) -> frozenset[str]:
    # Scoped affiliations ("faculty@med.example.edu") count by their unscoped value.
    return frozenset(v.split("@", 1)[0].strip().lower() for v in values if v.strip())


def from_saml(*, uid: str, attributes: dict, authn_contexts: list[str], overrides: dict | None = None) -> Claims:
    mapping = saml_mapping(overrides)
    return Claims(
        uid=uid,
        email=_first(attributes, mapping["email"]).lower(),
        eppn=_first(attributes, mapping["eppn"]).lower(),
        first_name=_first(attributes, mapping["first_name"]),
        last_name=_first(attributes, mapping["last_name"]),
        affiliations=_affiliations(_values(attributes, mapping["affiliation"])),
        mfa=REFEDS_MFA in (authn_contexts or []),
    )


def from_oidc(*, uid: str, extra_data: dict, overrides: dict | None = None) -> Claims:
    userinfo = extra_data.get("userinfo") or {}
    id_token = extra_data.get("id_token") or {}
    merged = {**id_token, **userinfo}
    mapping = {key: list(names) for key, names in OIDC_DEFAULT_CLAIMS.items()}
    for key, names in (overrides or {}).items():
        if key in mapping and names:
            mapping[key] = [names] if isinstance(names, str) else list(names)
    amr = id_token.get("amr") or []
    return Claims(
        uid=uid,
        email=_first(merged, mapping["email"]).lower(),
        eppn=_first(merged, mapping["eppn"]).lower(),
        first_name=_first(merged, mapping["first_name"]),
        last_name=_first(merged, mapping["last_name"]),
        affiliations=_affiliations(_values(merged, mapping["affiliation"])),
        mfa=id_token.get("acr") == REFEDS_MFA or "mfa" in amr,
    )
