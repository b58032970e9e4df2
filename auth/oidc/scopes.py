"""The scopes the provider knows (contract, "Identity: OpenID Connect provider")."""

from __future__ import annotations

OIDC_SCOPES = ("openid", "profile", "phone", "email", "offline_access", "identity")
MODULE_SCOPES = ("feedback", "transit", "health.read", "notifications", "miniapps")
CITIZEN_SCOPES = OIDC_SCOPES + MODULE_SCOPES
CLIENT_CREDENTIALS_SCOPES = ("transit.validate", "notifications.publish", "open311")
ALL_SCOPES = CITIZEN_SCOPES + CLIENT_CREDENTIALS_SCOPES

# OIDC Core §5.4 and the identity scope: which userinfo claims each scope releases.
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "profile": ("name", "birthdate", "updated_at", "locale"),
    "phone": ("phone_number", "phone_number_verified"),
    "email": ("email", "email_verified"),
    "identity": ("national_id", "identity_level", "birthdate", "name"),
}
MAX_SCOPE_LENGTH = 1000


def parse_scope(raw: str | None) -> list[str]:
    """Space-separated scope (RFC 6749 §3.3) → ordered unique list."""
    if not raw:
        return []
    seen: dict[str, None] = {}
    for item in raw.split():
        seen.setdefault(item, None)
    return list(seen)


def format_scope(scopes: list[str] | tuple[str, ...]) -> str:
    return " ".join(scopes)
