"""The ``/.well-known/security.txt`` file (RFC 9116): where to report a vulnerability, until when."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

VALID_FOR = dt.timedelta(days=180)


def security_txt_text(*, site_url: str, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    expires = (now + VALID_FOR).astimezone(dt.UTC).replace(microsecond=0)
    lines = [
        f"Contact: mailto:{settings.SECURITY_CONTACT_EMAIL}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en, es",
        f"Canonical: {site_url.rstrip('/')}/.well-known/security.txt",
    ]
    if settings.SECURITY_POLICY_URL:
        lines.append(f"Policy: {settings.SECURITY_POLICY_URL}")
    return "\n".join(lines) + "\n"
