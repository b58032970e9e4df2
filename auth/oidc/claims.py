"""Claims about the citizen: assurance level (``acr``), authentication methods (``amr``,
RFC 8176), ``at_hash`` (OIDC Core §3.1.3.6) and the userinfo claims released by scope (§5.4)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from auth.models import Account
from auth.oidc.scopes import SCOPE_CLAIMS

ACR_PREFIX = "urn:superapp:loa:"
AMR_PASSWORD = ["pwd"]
AMR_OTP = ["sms", "otp"]


def acr_for(identity_level: int) -> str:
    """Level 1 = phone verified, level 2 = national ID verified (contract, "Identity levels")."""
    return f"{ACR_PREFIX}{2 if identity_level >= 2 else 1}"


def at_hash(access_token: str) -> str:
    """Left half of SHA-256 of the token, base64url (ES256 and RS256 both hash with SHA-256)."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def userinfo_claims(account: Account, scopes: list[str] | frozenset[str], sub: str) -> dict[str, Any]:
    """The userinfo document for ``scopes``; ``identity`` claims only for identity level 2."""
    claims: dict[str, Any] = {"sub": sub}
    values: dict[str, Any] = {
        "name": account.full_name,
        "birthdate": account.birth_date.isoformat() if account.birth_date else None,
        "updated_at": int(account.updated_at.timestamp()) if account.updated_at else None,
        "locale": "vi-VN",
        "phone_number": account.phone,
        "phone_number_verified": account.verified_at is not None,
        "email": account.email,
        "email_verified": False,
        "national_id": account.national_id,
        "identity_level": account.identity_level,
    }
    for scope in scopes:
        if scope == "identity" and account.identity_level < 2:
            continue
        if scope == "email" and not account.email:
            continue
        for name in SCOPE_CLAIMS.get(scope, ()):
            if values.get(name) is not None:
                claims[name] = values[name]
    if "identity" in scopes and account.identity_level >= 2:
        claims["acr"] = acr_for(account.identity_level)
    return claims
