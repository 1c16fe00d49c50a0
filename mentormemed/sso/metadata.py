"""Our SP metadata for one institution, with the user-interface and privacy elements federations
such as InCommon ask for (REFEDS MDUI: display name, information and privacy statement URLs)."""

from __future__ import annotations

from allauth.socialaccount.providers.saml.utils import build_saml_config
from django.conf import settings
from lxml import etree
from onelogin.saml2.settings import OneLogin_Saml2_Settings

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
MDUI = "urn:oasis:names:tc:SAML:metadata:ui"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def sp_metadata(request, idp) -> bytes:
    config = build_saml_config(request, idp.app.settings, idp.app.client_id)
    saml_settings = OneLogin_Saml2_Settings(settings=config, sp_validation_only=True)
    xml = saml_settings.get_sp_metadata()
    errors = saml_settings.validate_metadata(xml)
    if errors:
        raise ValueError(f"SP metadata invalid: {errors}")
    root = etree.fromstring(xml)
    sp = root.find(f"{{{MD}}}SPSSODescriptor")
    extensions = sp.find(f"{{{MD}}}Extensions")
    if extensions is None:
        extensions = etree.Element(f"{{{MD}}}Extensions")
        sp.insert(0, extensions)
    ui = etree.SubElement(extensions, f"{{{MDUI}}}UIInfo", nsmap={"mdui": MDUI})
    for tag, text in (
        ("DisplayName", "MentorMeMed"),
        ("Description", f"Affinity-based mentoring for {idp.institution} learners and faculty"),
        ("InformationURL", settings.SITE_URL + "/"),
        ("PrivacyStatementURL", settings.SITE_URL + "/sso/privacy/"),
    ):
        element = etree.SubElement(ui, f"{{{MDUI}}}{tag}")
        element.set(XML_LANG, "en")
        element.text = text
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
