"""Identifiers: UUIDv7 (time-ordered) for everything exposed in URLs."""

from __future__ import annotations

import secrets
import uuid

import uuid_utils


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


def token_urlsafe(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
