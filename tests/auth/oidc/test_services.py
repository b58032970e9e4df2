"""The provider's Python interfaces: consents, revocation, client registration, seed."""

from __future__ import annotations

import pytest
from sqlmodel import select

from auth.consents import get_consent, grant_consent, list_consents, revoke_consent, touch_consent
from auth.credentials import authenticate_password
from auth.models import OAuthClient
from auth.oidc.clients import InvalidClientMetadata, create_client
from auth.oidc.codes import InvalidScope, create_authorization_code
from auth.oidc.errors import ClientNotAllowed, InvalidCodeChallenge
from auth.oidc.revoke import revoke_account, revoke_client
from auth.oidc.seed import MOBILE_CLIENT_ID, seed_clients
from tests.auth.oidc.conftest import Browser, basic, native_tokens, pkce_pair

REDIRECT = "https://rp.example.vn/callback"


def bearer(tokens):
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def third_party_tokens(client, factory, citizen):
    app = await factory.client(scopes=["openid", "profile"], redirect_uris=[REDIRECT])
    browser = Browser(client, app.client_id, REDIRECT)
    page = await browser.login(await browser.start(), citizen.phone)
    r = await browser.decide(page, "allow")
    return app, (await browser.redeem(r.headers["location"], auth=basic(app.client_id))).json()


class TestConsents:
    async def test_grant_merges_and_revoke_unrevokes(self, ctx, factory, citizen):
        app = await factory.client(scopes=["openid", "profile", "phone"])
        async with ctx.sessionmaker() as s:
            await grant_consent(s, citizen.id, app.client_id, ["openid"])
            consent = await grant_consent(s, citizen.id, app.client_id, ["profile"])
            assert consent.scopes == ["openid", "profile"]
            await touch_consent(s, citizen.id, app.client_id)
            await s.commit()
        async with ctx.sessionmaker() as s:
            assert (await get_consent(s, citizen.id, app.client_id)).last_used_at is not None
            assert await revoke_consent(ctx, s, citizen.id, app.client_id) is True
            assert await revoke_consent(ctx, s, citizen.id, app.client_id) is False
            assert await list_consents(s, citizen.id) == []
            again = await grant_consent(s, citizen.id, app.client_id, ["phone"])
            assert again.revoked_at is None and again.scopes == ["phone"]
            await s.commit()

    async def test_revoking_consent_kills_that_clients_tokens_at_once(self, client, ctx, factory, citizen):
        app, tokens = await third_party_tokens(client, factory, citizen)
        assert (await client.get("/oauth/userinfo", headers=bearer(tokens))).status_code == 200
        async with ctx.sessionmaker() as s:
            assert await revoke_consent(ctx, s, citizen.id, app.client_id)
            await s.commit()
        assert (await client.get("/oauth/userinfo", headers=bearer(tokens))).status_code == 401
        again = Browser(client, app.client_id, REDIRECT)
        page = await again.start()
        assert 'value="allow"' in page.text  # consent asked again


class TestRevocation:
    async def test_revoke_account_ends_every_session_and_grant(self, client, ctx, factory, mobile, citizen):
        phone = await native_tokens(client, citizen.phone)
        _, web = await third_party_tokens(client, factory, citizen)
        async with ctx.sessionmaker() as s:
            await revoke_account(ctx, s, citizen.id)
            await s.commit()
        for tokens in (phone, web):
            assert (await client.get("/oauth/userinfo", headers=bearer(tokens))).status_code == 401
        r = await client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": mobile.client_id,
                                                     "refresh_token": phone["refresh_token"]})
        assert r.json()["error"] == "invalid_grant"

    async def test_revoke_client_ends_its_grants_only(self, client, ctx, factory, mobile, citizen):
        phone = await native_tokens(client, citizen.phone)
        app, web = await third_party_tokens(client, factory, citizen)
        async with ctx.sessionmaker() as s:
            await revoke_client(ctx, s, app.client_id)
            await s.commit()
        assert (await client.get("/oauth/userinfo", headers=bearer(web))).status_code == 401
        assert (await client.get("/oauth/userinfo", headers=bearer(phone))).status_code == 200


class TestCodes:
    async def test_platform_code_without_redirect_is_redeemable(self, client, ctx, mobile, citizen):
        pkce = pkce_pair()
        async with ctx.sessionmaker() as s:
            code = await create_authorization_code(ctx, s, client=mobile, account_id=citizen.id, scopes=["openid"],
                                                   code_challenge=pkce.challenge)
            await s.commit()
        r = await client.post("/oauth/token", data={"grant_type": "authorization_code", "client_id": mobile.client_id,
                                                     "code": code, "code_verifier": pkce.verifier})
        assert r.status_code == 200 and r.json()["scope"] == "openid"

    async def test_bad_inputs_are_refused(self, ctx, factory, mobile, citizen):
        suspended = await factory.client(scopes=["openid"], status="suspended")
        async with ctx.sessionmaker() as s:
            with pytest.raises(InvalidCodeChallenge):
                await create_authorization_code(ctx, s, client=mobile, account_id=citizen.id, scopes=["openid"],
                                                code_challenge="a" * 43, code_challenge_method="plain")
            with pytest.raises(InvalidScope):
                await create_authorization_code(ctx, s, client=mobile, account_id=citizen.id, scopes=["open311"],
                                                code_challenge=pkce_pair().challenge)
            with pytest.raises(ClientNotAllowed):
                await create_authorization_code(ctx, s, client=suspended, account_id=citizen.id, scopes=["openid"],
                                                code_challenge=pkce_pair().challenge)


class TestCredentials:
    async def test_rehash_when_parameters_change(self, ctx, factory, citizen):
        ctx.settings.argon2_time_cost = 2
        async with ctx.sessionmaker() as s:
            account = await authenticate_password(ctx, s, citizen.phone, "Correct-horse-7")
            await s.commit()
        assert account is not None and account.password_hash != citizen.password_hash
        assert "t=2" in account.password_hash

    async def test_wrong_password_and_unknown_user(self, ctx, citizen):
        async with ctx.sessionmaker() as s:
            assert await authenticate_password(ctx, s, citizen.phone, "nope-nope-1") is None
            assert await authenticate_password(ctx, s, "0999999999", "Correct-horse-7") is None
            assert await authenticate_password(ctx, s, "not a username", "Correct-horse-7") is None


class TestClientRegistration:
    async def test_secret_is_shown_once_and_stored_hashed(self, ctx):
        async with ctx.sessionmaker() as s:
            created = await create_client(s, name="Parking", redirect_uris=["https://parking.example.vn/cb"],
                                          scopes=["openid"])
            await s.commit()
        assert len(created.client_secret) >= 43
        assert created.client.secret_hash != created.client_secret and len(created.client.secret_hash) == 64
        assert created.as_output() == {"client_id": created.client.client_id, "client_secret": created.client_secret}

    async def test_public_client_has_no_secret(self, ctx):
        async with ctx.sessionmaker() as s:
            created = await create_client(s, name="App", client_type="public", redirect_uris=["vn.example.app:/cb"])
        assert created.client_secret is None and created.client.token_endpoint_auth_method == "none"
        assert created.as_output().keys() == {"client_id"}

    @pytest.mark.parametrize("uri", ["http://example.vn/cb", "https://x.vn/cb#frag", "javascript:alert(1)", "/relative",
                                     "myapp:/cb"])
    async def test_unsafe_redirect_uris_are_refused(self, ctx, uri):
        async with ctx.sessionmaker() as s:
            with pytest.raises(InvalidClientMetadata):
                await create_client(s, name="Bad", redirect_uris=[uri])

    async def test_public_clients_cannot_use_client_credentials(self, ctx):
        async with ctx.sessionmaker() as s:
            with pytest.raises(InvalidClientMetadata):
                await create_client(s, name="Bad", client_type="public", grant_types=["client_credentials"])


class TestSeed:
    async def test_seed_is_idempotent(self, ctx):
        for _ in range(2):
            async with ctx.sessionmaker() as s:
                lines = await seed_clients(ctx, s)
                await s.commit()
            assert any(MOBILE_CLIENT_ID in line for line in lines)
        async with ctx.sessionmaker() as s:
            clients = (await s.exec(select(OAuthClient))).all()
        by_id = {c.client_id: c for c in clients}
        assert by_id[MOBILE_CLIENT_ID].client_type == "public" and by_id[MOBILE_CLIENT_ID].first_party
        assert list(by_id) == [MOBILE_CLIENT_ID]


class TestPersonalData:
    async def test_export_and_erase(self, client, ctx, factory, mobile, citizen):
        from auth.oidc.models import LoginSession
        from auth.oidc.personal_data import erase_oidc, export_oidc

        phone = await native_tokens(client, citizen.phone)
        async with ctx.sessionmaker() as s:
            data = await export_oidc(ctx, s, citizen.id)
        assert len(data["sessions"]) == 1 and data["grants"][0]["client_id"] == mobile.client_id
        async with ctx.sessionmaker() as s:
            await erase_oidc(ctx, s, citizen.id)
            await s.commit()
        assert (await client.get("/oauth/userinfo", headers=bearer(phone))).status_code == 401
        async with ctx.sessionmaker() as s:
            login = (await s.exec(select(LoginSession))).one()
        assert login.revoked_at is not None and login.ip is None and login.user_agent is None
