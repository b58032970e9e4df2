"""Secrets a mini-app receives once: its OAuth client secret and its webhook signing secret.

- Client secret: 256 random bits, stored as a SHA-256 hex digest (the provider compares
  digests in constant time); slow password hashes are kept for human passwords.
- Webhook secret: ``whsec_`` + base64 of 256 random bits (the Standard Webhooks format), kept
  encrypted with a key derived from ``SUPERAPP_SECRET_KEY`` because the host needs it to sign.
"""

from __future__ import annotations

import base64
import hashlib
import secrets as _random

from cryptography.fernet import Fernet, InvalidToken

from superapp.sealing import derived_fernet

WEBHOOK_SECRET_PREFIX = "whsec_"
_FERNET_LABEL = b"superapp/miniapps/webhook-secret\x00"


def new_client_secret() -> str:
    return _random.token_urlsafe(32)


def hash_client_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_webhook_secret() -> str:
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(_random.token_bytes(32)).decode()


def _fernet(secret_key: str) -> Fernet:
    return derived_fernet(secret_key, _FERNET_LABEL)


def seal(secret_key: str, value: str) -> str:
    return _fernet(secret_key).encrypt(value.encode()).decode()


def unseal(secret_key: str, sealed: str) -> str | None:
    """The plain secret, or None if it cannot be decrypted (e.g. the secret key changed)."""
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None
