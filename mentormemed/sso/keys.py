"""Our SAML service-provider key pair, one per institution (signing and encryption in metadata)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

SP_CERT_YEARS = 10


def _body(pem: bytes) -> str:
    """python3-saml wants the base64 body without the PEM armour lines."""
    return "".join(line for line in pem.decode().splitlines() if "-----" not in line)


def sp_key_pair(common_name: str) -> tuple[str, str]:
    """A fresh RSA-2048 key and a self-signed certificate (federations accept self-signed SP certs)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * SP_CERT_YEARS))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return _body(cert.public_bytes(serialization.Encoding.PEM)), _body(key_pem)
