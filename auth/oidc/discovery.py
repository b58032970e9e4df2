"""Discovery (OpenID Connect Discovery 1.0 §3, RFC 8414) and the JWKS (RFC 7517)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from auth.keys import ALLOWED_ALGS, get_keyset
from auth.oidc import oauth_http as paths
from auth.oidc.client_auth import ASSERTION_ALGS
from auth.oidc.pkce import SUPPORTED_METHODS
from auth.oidc.scopes import CITIZEN_SCOPES, CLIENT_CREDENTIALS_SCOPES, SCOPE_CLAIMS
from superapp.context import AppContext, CtxDep

router = APIRouter(tags=["oidc"])
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
BASE_CLAIMS = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash", "azp"]


def configuration(ctx: AppContext) -> dict:
    issuer = ctx.settings.resolved_issuer
    claims = list(dict.fromkeys([*BASE_CLAIMS, *(c for cs in SCOPE_CLAIMS.values() for c in cs)]))
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + paths.AUTHORIZE_PATH,
        "token_endpoint": issuer + paths.TOKEN_PATH,
        "userinfo_endpoint": issuer + paths.USERINFO_PATH,
        "jwks_uri": issuer + paths.JWKS_PATH,
        "revocation_endpoint": issuer + paths.REVOCATION_PATH,
        "introspection_endpoint": issuer + paths.INTROSPECTION_PATH,
        "end_session_endpoint": issuer + paths.END_SESSION_PATH,
        "authorization_challenge_endpoint": issuer + paths.CHALLENGE_PATH,
        "scopes_supported": [*CITIZEN_SCOPES, *CLIENT_CREDENTIALS_SCOPES],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": list(SUPPORTED_METHODS),
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGS),
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": [m for m in AUTH_METHODS if m != "none"],
        "id_token_signing_alg_values_supported": list(ALLOWED_ALGS),
        "subject_types_supported": ["public", "pairwise"],
        "claims_supported": claims,
        "acr_values_supported": ["urn:superapp:loa:1", "urn:superapp:loa:2"],
        "prompt_values_supported": ["none", "login", "consent"],
        "ui_locales_supported": ["vi", "en"],
        "claims_locales_supported": ["vi", "en"],
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "authorization_response_iss_parameter_supported": True,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "claims_parameter_supported": False,
    }


@router.get("/.well-known/openid-configuration", summary="OpenID Provider metadata")
async def openid_configuration(ctx: CtxDep) -> JSONResponse:
    return JSONResponse(configuration(ctx), headers={"Cache-Control": "public, max-age=300"})


@router.get("/.well-known/oauth-authorization-server", summary="OAuth server metadata (RFC 8414)")
async def oauth_metadata(ctx: CtxDep) -> JSONResponse:
    return JSONResponse(configuration(ctx), headers={"Cache-Control": "public, max-age=300"})


@router.get(paths.JWKS_PATH, summary="Token-signing public keys (JWKS)")
async def jwks(ctx: CtxDep) -> JSONResponse:
    keyset = await get_keyset(ctx)
    return JSONResponse(keyset.jwks, headers={"Cache-Control": "public, max-age=60"})
