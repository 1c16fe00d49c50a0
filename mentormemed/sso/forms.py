from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.sso.claims import SAML_DEFAULT_ATTRIBUTES
from mentormemed.sso.models import IdentityProvider
from mentormemed.sso.services import IdpSettings

OVERRIDE_KEYS = tuple(SAML_DEFAULT_ATTRIBUTES)


def parse_overrides(text: str) -> dict[str, list[str]]:
    """``key = name1, name2`` per line → {key: [names]}; unknown keys are refused with the list of known ones."""
    result: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        key, sep, names = line.partition("=")
        key = key.strip()
        if not sep or key not in OVERRIDE_KEYS:
            raise ValidationError(
                gettext("Line %(number)s: write “key = attribute names”, with a key among %(join)s.")
                % {"number": number, "join": ", ".join(OVERRIDE_KEYS)}
            )
        result[key] = [n.strip() for n in names.split(",") if n.strip()]
    return result


def format_overrides(overrides: dict) -> str:
    return "\n".join(f"{key} = {', '.join(names)}" for key, names in (overrides or {}).items())


class IdentityProviderForm(forms.Form):
    protocol = forms.ChoiceField(choices=IdentityProvider.Protocol.choices, widget=forms.RadioSelect)
    display_name = forms.CharField(max_length=120, label=_("Button name"), help_text=_("e.g. “Alpha campus login”"))
    email_domains = forms.CharField(
        max_length=500, required=False, help_text=_("Comma-separated; people typing such an address find you.")
    )
    metadata_url = forms.URLField(
        assume_scheme="https",
        required=False,
        label=_("SAML: IdP metadata URL"),
        help_text=_("Refreshed every few hours, so key changes follow."),
    )
    metadata_xml = forms.CharField(
        required=False, label=_("SAML: or paste the IdP metadata XML"), widget=forms.Textarea(attrs={"rows": 4})
    )
    issuer = forms.URLField(assume_scheme="https", required=False, label=_("OpenID Connect: issuer URL"))
    client_id = forms.CharField(max_length=191, required=False, label=_("OpenID Connect: client ID"))
    client_secret = forms.CharField(
        max_length=191,
        required=False,
        label=_("OpenID Connect: client secret"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the secret already saved."),
    )
    enabled = forms.BooleanField(required=False, initial=True, label=_("Offer this campus login"))
    require_sso = forms.BooleanField(
        required=False, label=_("Require it: members cannot sign in with a password or passkey alone")
    )
    jit_enabled = forms.BooleanField(
        required=False, label=_("Just-in-time membership for people with an allowed affiliation (no invitation needed)")
    )
    mentor_affiliations = forms.CharField(
        max_length=200, initial="faculty", help_text=_("eduPersonAffiliation values that may become mentors")
    )
    mentee_affiliations = forms.CharField(
        max_length=200, initial="student", help_text=_("eduPersonAffiliation values that may become mentees")
    )
    accept_idp_mfa = forms.BooleanField(
        required=False, initial=True, label=_("Admins: accept the IdP's REFEDS MFA assertion as their second factor")
    )
    attribute_overrides = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Attribute names (optional overrides)"),
        help_text="One per line, e.g. “email = urn:oid:0.9.2342.19200300.100.1.3, mail”. Keys: "
        + ", ".join(OVERRIDE_KEYS),
    )

    def clean_attribute_overrides(self) -> dict:
        return parse_overrides(self.cleaned_data["attribute_overrides"])

    def settings(self) -> IdpSettings:
        return IdpSettings(**self.cleaned_data)

    @classmethod
    def initial_for(cls, idp: IdentityProvider | None) -> dict:
        if idp is None:
            return {}
        app_settings = idp.app.settings or {}
        saml_idp = app_settings.get("idp") or {}
        return {
            "protocol": idp.protocol,
            "display_name": idp.display_name,
            "email_domains": idp.email_domains,
            "metadata_url": saml_idp.get("metadata_url", ""),
            "issuer": app_settings.get("server_url", ""),
            "client_id": idp.app.client_id if idp.protocol == IdentityProvider.Protocol.OIDC else "",
            "enabled": idp.enabled,
            "require_sso": idp.require_sso,
            "jit_enabled": idp.jit_enabled,
            "mentor_affiliations": idp.mentor_affiliations,
            "mentee_affiliations": idp.mentee_affiliations,
            "accept_idp_mfa": idp.accept_idp_mfa,
            "attribute_overrides": format_overrides(idp.attribute_overrides),
        }
