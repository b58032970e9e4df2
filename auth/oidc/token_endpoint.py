"""The token endpoint (RFC 6749 §3.2): client authentication, then the grant's exchange.

Every app start calls it (a refresh), so it is served as a plain Starlette route ahead of the
routers (``hot_route``): no router walk, no dependency solving, a session opened only if the
request needs the database. The APIRoute below documents it in the OpenAPI and calls the same
handler.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.routing import Route

from auth.oidc.client_auth import authenticate_client
from auth.oidc.errors import OAuthError
from auth.oidc.grants import GRANTS
from auth.oidc.grants.base import single
from auth.oidc.oauth_http import TOKEN_PATH, oauth_json, read_form, url
from superapp.context import AppContext

router = APIRouter(tags=["oidc"])


async def handle_token(request: Request) -> JSONResponse:
    ctx: AppContext = request.app.state.ctx
    async with ctx.sessionmaker() as session:

        async def run() -> dict:
            form = await read_form(request)
            grant_type = single(form, "grant_type", max_length=100)
            grant = GRANTS.get(grant_type)
            authenticated = await authenticate_client(
                ctx, session, request.headers, form, token_endpoint=url(ctx, TOKEN_PATH)
            )
            if grant is None:
                raise OAuthError("unsupported_grant_type", f"{grant_type} is not supported")
            client = authenticated.client
            if grant_type not in (client.grant_types or []):
                raise OAuthError("unauthorized_client", f"this client may not use {grant_type}")
            return await grant.exchange(ctx, session, client, form)

        return await oauth_json(session, run)  # closing the session rolls back what was not committed


@router.post(
    TOKEN_PATH,
    summary="Token endpoint (RFC 6749 §3.2)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {
                                "type": "string",
                                "enum": ["authorization_code", "refresh_token", "client_credentials"],
                            },
                            "code": {"type": "string"},
                            "code_verifier": {"type": "string"},
                            "redirect_uri": {"type": "string"},
                            "refresh_token": {"type": "string"},
                            "scope": {"type": "string"},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                            "client_assertion_type": {"type": "string"},
                            "client_assertion": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
async def token(request: Request) -> JSONResponse:
    return await handle_token(request)


hot_route = Route(TOKEN_PATH, handle_token, methods=["POST"], include_in_schema=False)
