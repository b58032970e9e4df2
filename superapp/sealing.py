"""Encryption at rest for small secrets (signing keys, webhook secrets, replayed answers).

Each use derives its own Fernet key from ``SUPERAPP_SECRET_KEY`` and a purpose label, so a
value sealed for one purpose cannot be opened as another.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet


def derived_fernet(secret_key: str, purpose: bytes) -> Fernet:
    """The Fernet for ``purpose`` (e.g. ``b"superapp-signing-keys:"``) under ``secret_key``."""
    digest = hashlib.sha256(purpose + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))
