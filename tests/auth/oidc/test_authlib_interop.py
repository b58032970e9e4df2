"""An outside OAuth client library (Authlib) runs the code flow with PKCE against the app
served by uvicorn on a free local port: login through the real form, consent, ID token checked
against the JWKS, refresh, userinfo, introspection and revocation."""

from __future__ import annotations

import asyncio
import secrets
import socket
import warnings

import httpx
import pytest
import uvicorn

with warnings.catch_warnings():  # Authlib announces its 2.0 module moves on import
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

from auth.oidc.clients import create_client
from superapp.app import create_app
from superapp.context import AppContext
from tests.auth.oidc.conftest import PASSWORD, hidden_fields

REDIRECT = "https://parking.example.vn/oauth/callback"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def live(settings, factory):
    """The app on a real port; its issuer is the server's base URL. Depends on ``factory`` so
    that the shared fixtures have emptied the database before anything is created here."""
    port = free_port()
    live_settings = settings.model_copy(update={"issuer": f"http://127.0.0.1:{port}"})
    ctx = AppContext.build(live_settings)
    app = create_app(live_settings, ctx=ctx, miniapps=[], run_background_workers=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    assert server.started
    yield ctx
    server.should_exit = True
    await task  # the app's lifespan closes its context


@pytest.fixture
async def registered(live):
    async with live.sessionmaker() as s:
        created = await create_client(s, name="Hanoi Parking", redirect_uris=[REDIRECT],
                                      scopes=["openid", "profile", "phone", "offline_access"])
        await s.commit()
    return created


async def test_authlib_code_flow_with_pkce(live, registered, factory):
    citizen = await factory.account(full_name="Trần Thị Bình")
    issuer = live.settings.resolved_issuer
    async with httpx.AsyncClient(base_url=issuer) as browser:
        meta = (await browser.get("/.well-known/openid-configuration")).json()
        assert meta["issuer"] == issuer
        jwks = (await browser.get(meta["jwks_uri"])).json()

        oauth = AsyncOAuth2Client(
            client_id=registered.client.client_id, client_secret=registered.client_secret,
            scope="openid profile phone offline_access", redirect_uri=REDIRECT, code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
        )
        verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
        url, state = oauth.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)

        login_page = await browser.get(url)
        assert login_page.status_code == 200
        consent_page = await browser.post("/oauth/authorize", data={**hidden_fields(login_page.text),
                                                                    "username": citizen.phone, "password": PASSWORD})
        assert consent_page.status_code == 200 and 'value="allow"' in consent_page.text
        back = await browser.post("/oauth/authorize", data={**hidden_fields(consent_page.text), "decision": "allow"})
        assert back.status_code == 303 and back.headers["location"].startswith(REDIRECT)

        token = await oauth.fetch_token(meta["token_endpoint"], authorization_response=back.headers["location"],
                                        code_verifier=verifier, state=state)
        assert {"access_token", "refresh_token", "id_token"} <= token.keys()

        claims = jwt.decode(token["id_token"], JsonWebKey.import_key_set(jwks), claims_cls=CodeIDToken,
                            claims_options={"iss": {"value": issuer}, "aud": {"value": registered.client.client_id}},
                            claims_params={"nonce": nonce, "access_token": token["access_token"]})
        claims.validate()
        assert claims["sub"] != str(citizen.id)  # pairwise for a third-party client
        assert claims["acr"] == "urn:superapp:loa:1"

        userinfo = (await oauth.get(meta["userinfo_endpoint"])).json()
        assert userinfo["sub"] == claims["sub"] and userinfo["name"] == "Trần Thị Bình"

        old_refresh = token["refresh_token"]
        refreshed = await oauth.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
        assert refreshed["refresh_token"] != old_refresh
        assert (await oauth.get(meta["userinfo_endpoint"])).status_code == 200

        active = (await oauth.introspect_token(meta["introspection_endpoint"], token=refreshed["access_token"])).json()
        assert active["active"] is True and active["sub"] == claims["sub"]

        revoked = await oauth.revoke_token(meta["revocation_endpoint"], token=refreshed["refresh_token"],
                                           token_type_hint="refresh_token")
        assert revoked.status_code == 200
        after = (await oauth.introspect_token(meta["introspection_endpoint"], token=refreshed["access_token"])).json()
        assert after == {"active": False}
        assert (await oauth.get(meta["userinfo_endpoint"])).status_code == 401
        await oauth.aclose()
