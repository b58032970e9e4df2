"""What a grant handler is."""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData

from auth.models import OAuthClient
from superapp.context import AppContext


class TokenGrant(Protocol):
    grant_type: str

    async def exchange(
        self, ctx: AppContext, session: AsyncSession, client: OAuthClient, form: FormData
    ) -> dict[str, Any]: ...


def single(form: FormData, name: str, *, required: bool = True, max_length: int = 4096) -> str | None:
    """One value of a parameter (RFC 6749 §3.2: parameters must not repeat)."""
    from auth.oidc.errors import OAuthError

    values = form.getlist(name)
    if len(values) > 1:
        raise OAuthError("invalid_request", f"{name} is repeated")
    value = values[0] if values else None
    if value is not None and not isinstance(value, str):
        raise OAuthError("invalid_request", f"{name} must be a string")
    if not value:
        if required:
            raise OAuthError("invalid_request", f"{name} is required")
        return None
    if len(value) > max_length:
        raise OAuthError("invalid_request", f"{name} is too long")
    return value
