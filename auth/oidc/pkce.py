"""Proof Key for Code Exchange (RFC 7636), ``S256`` only (RFC 9700 §2.1.1: ``plain`` refused)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

SUPPORTED_METHODS = ("S256",)
# RFC 7636 §4.1/§4.2: 43-128 characters of the unreserved set.
_VALUE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def challenge_problem(code_challenge: str | None, method: str | None) -> str | None:
    """What is wrong with a code challenge, or None. A missing method means ``plain`` (§4.3)."""
    if not code_challenge:
        return "code_challenge is required (PKCE)"
    if (method or "plain") not in SUPPORTED_METHODS:
        return "code_challenge_method must be S256"
    if not _VALUE.match(code_challenge):
        return "code_challenge is malformed"
    return None


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def verify(verifier: str | None, challenge: str, method: str = "S256") -> bool:
    if method != "S256" or not verifier or not _VALUE.match(verifier):
        return False
    return hmac.compare_digest(s256(verifier), challenge)
