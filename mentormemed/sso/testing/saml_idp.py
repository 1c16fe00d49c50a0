"""A real SAML 2.0 identity provider (pysaml2) for browser tests and the demo, on loopback.

It speaks the Web Browser SSO profile the way campus IdPs do: HTTP-Redirect AuthnRequest in,
a signed assertion out through HTTP-POST, eduPerson attributes with their URI names, a
persistent NameID, and the REFEDS MFA authentication context when the person also entered
their one-time code. The SP's metadata is fetched from the issuer of its first request (our
entity IDs are our metadata URLs), as a federation would have delivered it.

    idp = SamlIdp(users={"ada": IdpUser(password="...", mail="ada@alpha.edu", ...)}).start()
    idp.metadata_url  # give this to MentorMeMed
"""

from __future__ import annotations

import html
import tempfile
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from mentormemed.sso.keys import sp_key_pair
from mentormemed.sso.models import REFEDS_MFA

PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


@dataclass
class IdpUser:
    password: str
    mail: str
    eppn: str
    given_name: str = ""
    surname: str = ""
    affiliations: list[str] = field(default_factory=lambda: ["member"])
    otp: str = ""  # a second factor: typed with the password, the assertion carries REFEDS MFA

    def identity(self) -> dict[str, list[str]]:
        return {
            "mail": [self.mail],
            "eduPersonPrincipalName": [self.eppn],
            "givenName": [self.given_name],
            "sn": [self.surname],
            "eduPersonAffiliation": list(self.affiliations),
        }


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _pem(body: str, kind: str) -> str:
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----\n"


class SamlIdp:
    def __init__(
        self,
        *,
        users: dict[str, IdpUser],
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "Test IdP",
        key_dir: Path | None = None,
    ):
        """``key_dir`` keeps the signing key between runs (the demo); by default a fresh one per run."""
        self.users = users
        self.name = name
        self._httpd = make_server(host, port, self.wsgi, handler_class=_QuietHandler)
        self.base_url = f"http://{host}:{self._httpd.server_port}"
        self._dir = tempfile.TemporaryDirectory(prefix="mmm-idp-")
        folder = Path(key_dir) if key_dir else Path(self._dir.name)
        folder.mkdir(parents=True, exist_ok=True)
        cert_file, key_file = folder / "idp.crt", folder / "idp.key"
        if not (cert_file.exists() and key_file.exists()):
            cert, key = sp_key_pair("MentorMeMed test IdP")
            cert_file.write_text(_pem(cert, "CERTIFICATE"))
            key_file.write_text(_pem(key, "PRIVATE KEY"))
        self.server = Server(config=IdPConfig().load(self._config(str(cert_file), str(key_file))))
        self._known_sps: set[str] = set()
        self._thread: threading.Thread | None = None

    @property
    def entity_id(self) -> str:
        return self.base_url + "/metadata"

    metadata_url = entity_id

    def _config(self, cert_file: str, key_file: str) -> dict:
        return {
            "entityid": self.entity_id,
            "name": self.name,
            "service": {
                "idp": {
                    "endpoints": {"single_sign_on_service": [(self.base_url + "/sso/redirect", BINDING_HTTP_REDIRECT)]},
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": False,
                    "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_URI}},
                }
            },
            "key_file": key_file,
            "cert_file": cert_file,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {},
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SamlIdp:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="saml-idp", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._dir.cleanup()

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    # ------------------------------------------------------------------ WSGI

    def wsgi(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        try:
            if path == "/metadata":
                body = create_metadata_string(None, config=self.server.config).decode()
                return self._send(start_response, body, "application/samlmetadata+xml")
            if path == "/sso/redirect":
                params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
                return self._send(start_response, self._login_form(params["SAMLRequest"], params.get("RelayState", "")))
            if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
                size = int(environ.get("CONTENT_LENGTH") or 0)
                form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
                return self._send(start_response, self._login(form))
        except KeyError as exc:
            return self._send(start_response, f"Missing {exc}", status="400 Bad Request", content_type="text/plain")
        return self._send(start_response, "Not found", status="404 Not Found", content_type="text/plain")

    @staticmethod
    def _send(start_response, body: str, content_type: str = "text/html; charset=utf-8", status: str = "200 OK"):
        data = body.encode()
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
        return [data]

    def _login_form(self, saml_request: str, relay_state: str, error: str = "") -> str:
        alert = f'<p role="alert" style="color:#a00">{html.escape(error)}</p>' if error else ""
        return f"""<!doctype html><html lang="en"><head><title>{html.escape(self.name)}</title></head><body>
<main><h1>{html.escape(self.name)}</h1>{alert}
<form method="post" action="/sso/login">
<input type="hidden" name="SAMLRequest" value="{html.escape(saml_request)}">
<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password"></p>
<p><label for="otp">One-time code (if you use two-step login)</label> <input id="otp" name="otp"></p>
<p><button type="submit">Log in</button></p>
</form></main></body></html>"""

    def _ensure_sp_metadata(self, sp_entity_id: str) -> None:
        """Load the SP's metadata from its entity ID (a URL on this machine), once."""
        if sp_entity_id in self._known_sps:
            return
        with urllib.request.urlopen(sp_entity_id, timeout=10) as response:  # noqa: S310  (loopback SP)
            xml = response.read().decode()
        self.server.metadata.imp([{"class": "saml2.mdstore.InMemoryMetaData", "metadata": [(xml,)]}])
        self._known_sps.add(sp_entity_id)

    def _login(self, form: dict) -> str:
        saml_request, relay_state = form["SAMLRequest"], form.get("RelayState", "")
        user = self.users.get(form.get("username", "").strip())
        if user is None or user.password != form.get("password", ""):
            return self._login_form(saml_request, relay_state, "Unknown username or wrong password.")
        otp = form.get("otp", "").strip()
        if otp and otp != user.otp:
            return self._login_form(saml_request, relay_state, "That one-time code is not right.")
        request = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        sp_entity_id = request.issuer.text
        self._ensure_sp_metadata(sp_entity_id)
        args = self.server.response_args(request, [BINDING_HTTP_POST])
        response = self.server.create_authn_response(
            user.identity(),
            userid=user.eppn,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"{user.eppn}-persistent"),
            authn={"class_ref": REFEDS_MFA if otp else PASSWORD_CONTEXT, "authn_auth": self.entity_id},
            sign_assertion=True,
            sign_response=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            **args,
        )
        http = self.server.apply_binding(
            BINDING_HTTP_POST, str(response), args["destination"], relay_state, response=True
        )
        return http["data"]
