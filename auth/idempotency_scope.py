"""Idempotency records are scoped to the verified caller: ``client_id`` + ``sub`` of a valid
access token, so a retry after a token refresh still finds its first answer, and a forged token
never reaches another caller's records."""

from __future__ import annotations

from starlette.types import Scope

from auth.tokens import InvalidToken, api_audience, verify_jwt
from superapp.idempotency import default_scope
from superapp.middleware import _header


def make_scope_resolver(ctx):
    async def resolve(scope: Scope) -> str:
        header = _header(scope, b"authorization") or ""
        kind, _, token = header.partition(" ")
        if kind.lower() == "bearer" and token:
            try:
                claims = await verify_jwt(ctx, token.strip(), audience=api_audience(ctx))
                return f"tok:{claims.get('client_id')}:{claims.get('sub')}"
            except InvalidToken:
                pass
        return await default_scope(scope)

    return resolve
