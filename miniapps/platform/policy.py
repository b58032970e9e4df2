"""What the platform allows third-party (web) mini-apps to ask for."""

from __future__ import annotations

# Citizen scopes a third-party app may register (contract: "Identity: OpenID Connect provider").
# Module scopes that act on the citizen's city records (feedback, transit, health.read,
# miniapps) stay with the city's own first-party apps.
THIRD_PARTY_SCOPES: tuple[str, ...] = (
    "openid",
    "profile",
    "phone",
    "email",
    "offline_access",
    "identity",
    "notifications",
)

CATEGORIES: tuple[str, ...] = (
    "utilities",
    "government",
    "transport",
    "health",
    "education",
    "environment",
    "culture",
    "tourism",
    "shopping",
    "food",
    "finance",
)

MAX_REDIRECT_URIS = 10
WEB_CLIENT_GRANTS = ["authorization_code", "refresh_token"]


def ordered_scopes(scopes: set[str] | list[str]) -> list[str]:
    """Scopes without duplicates, in a stable order (the platform's order, then the rest)."""
    wanted = set(scopes)
    known = [s for s in THIRD_PARTY_SCOPES if s in wanted]
    return known + sorted(wanted - set(known))


def split_scope(scope: str | None) -> list[str]:
    """An OAuth ``scope`` string (RFC 6749 §3.3) as a list, duplicates removed, order kept."""
    seen: dict[str, None] = {}
    for part in (scope or "").split():
        seen.setdefault(part, None)
    return list(seen)
