"""Secret tokens handed to people (invitation links, calendar feeds, directory tokens).

Only a token's hash is stored: a leaked table opens nothing. A token is looked up by its hash.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A fresh unguessable token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored and looked up for ``token`` (SHA-256, hex)."""
    return hashlib.sha256(token.encode()).hexdigest()
