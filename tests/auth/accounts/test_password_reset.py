"""Password reset by SMS code and the login code of POST /v1/auth/otp."""

from __future__ import annotations

from auth.credentials import authenticate_password
from auth.models import Account
from tests.auth.accounts.test_registration import assert_problem

NEW_PASSWORD = "Ho-Guom-Xanh-9"


async def can_sign_in(ctx, phone: str, password: str) -> bool:
    async with ctx.sessionmaker() as session:
        return await authenticate_password(ctx, session, phone, password) is not None


class TestResetRequest:
    async def test_active_account_gets_a_code(self, client, factory, sms):
        account = await factory.account()
        r = await client.post("/v1/accounts/password-reset", json={"phone": account.phone})
        assert r.status_code == 202 and r.json() == {"status": "accepted"}
        [message] = sms.messages(account.phone)
        assert "đặt lại mật khẩu" in message["body"]

    async def test_unknown_phone_gets_the_same_answer_and_no_text(self, client, sms):
        r = await client.post("/v1/accounts/password-reset", json={"phone": "0987654321"})
        assert r.status_code == 202 and r.json() == {"status": "accepted"}
        assert sms.messages() == []

    async def test_repeat_too_soon_is_429_for_known_and_unknown_phones(self, client, factory):
        account = await factory.account()
        for phone in (account.phone, "+84987654321"):
            assert (await client.post("/v1/accounts/password-reset", json={"phone": phone})).status_code == 202
            again = await client.post("/v1/accounts/password-reset", json={"phone": phone})
            assert_problem(again, 429, "otp.resend_too_soon")

    async def test_pending_account_gets_no_code(self, client, factory, sms):
        account = await factory.account(status="pending_verification", level=0)
        assert (await client.post("/v1/accounts/password-reset", json={"phone": account.phone})).status_code == 202
        assert sms.messages() == []

    async def test_malformed_phone_is_422(self, client):
        assert_problem(
            await client.post("/v1/accounts/password-reset", json={"phone": "0"}), 422, "account.invalid_phone"
        )


class TestResetConfirm:
    async def _code(self, client, sms, phone):
        await client.post("/v1/accounts/password-reset", json={"phone": phone})
        return sms.last_code(phone)

    async def test_new_password_replaces_the_old(self, client, ctx, factory, sms):
        account = await factory.account(password="Old-Password-1")
        code = await self._code(client, sms, account.phone)
        r = await client.post(
            "/v1/accounts/password-reset/confirm",
            json={"phone": account.phone, "code": code, "new_password": NEW_PASSWORD},
        )
        assert r.status_code == 200 and r.json() == {"status": "password_changed"}
        assert await can_sign_in(ctx, account.phone, NEW_PASSWORD)
        assert not await can_sign_in(ctx, account.phone, "Old-Password-1")

    async def test_replayed_code_is_refused(self, client, factory, sms):
        account = await factory.account()
        code = await self._code(client, sms, account.phone)
        data = {"phone": account.phone, "code": code, "new_password": NEW_PASSWORD}
        assert (await client.post("/v1/accounts/password-reset/confirm", json=data)).status_code == 200
        again = await client.post("/v1/accounts/password-reset/confirm", json=data | {"new_password": "Another-Pass-7"})
        assert_problem(again, 400, "otp.already_used")

    async def test_wrong_code_changes_nothing(self, client, ctx, factory, sms):
        account = await factory.account(password="Old-Password-1")
        code = await self._code(client, sms, account.phone)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        r = await client.post(
            "/v1/accounts/password-reset/confirm",
            json={"phone": account.phone, "code": wrong, "new_password": NEW_PASSWORD},
        )
        assert_problem(r, 400, "otp.invalid")
        assert await can_sign_in(ctx, account.phone, "Old-Password-1")

    async def test_weak_new_password_keeps_the_code_alive(self, client, ctx, factory, sms):
        account = await factory.account()
        code = await self._code(client, sms, account.phone)
        weak = await client.post(
            "/v1/accounts/password-reset/confirm",
            json={"phone": account.phone, "code": code, "new_password": "12345678"},
        )
        assert_problem(weak, 422, "account.password_too_common")
        ok = await client.post(
            "/v1/accounts/password-reset/confirm",
            json={"phone": account.phone, "code": code, "new_password": NEW_PASSWORD},
        )
        assert ok.status_code == 200

    async def test_code_for_unknown_phone_never_works(self, client):
        r = await client.post(
            "/v1/accounts/password-reset/confirm",
            json={"phone": "0987654321", "code": "123456", "new_password": NEW_PASSWORD},
        )
        assert_problem(r, 400, "otp.expired")

    async def test_login_code_cannot_reset_the_password(self, client, factory, sms):
        account = await factory.account()
        await client.post("/v1/auth/otp", json={"phone": account.phone})
        r = await client.post(
            "/v1/accounts/password-reset/confirm",
            json={"phone": account.phone, "code": sms.last_code(account.phone), "new_password": NEW_PASSWORD},
        )
        assert_problem(r, 400, "otp.expired")

    async def test_signed_in_tokens_stop_working(self, client, ctx, factory, sms):
        from auth.oidc.login_sessions import start_session

        account = await factory.account()
        async with ctx.sessionmaker() as session:
            login, _cookie = await start_session(
                ctx, session, await session.get(Account, account.id), kind="app", amr=["pwd"]
            )
            await session.commit()
        headers = await factory.headers(account, ["openid", "profile"], sid=login.sid)
        assert (await client.get("/v1/me", headers=headers)).status_code == 200
        code = await self._code(client, sms, account.phone)
        await client.post(
            "/v1/accounts/password-reset/confirm",
            json={"phone": account.phone, "code": code, "new_password": NEW_PASSWORD},
        )
        assert (await client.get("/v1/me", headers=headers)).status_code == 401


class TestLoginCode:
    async def test_active_account_gets_a_login_code(self, client, ctx, factory, sms):
        from auth.otp import verify_otp

        account = await factory.account()
        r = await client.post("/v1/auth/otp", json={"phone": account.phone})
        assert r.status_code == 202
        code = sms.last_code(account.phone)
        assert await verify_otp(ctx, phone=account.phone, purpose="login", code=code)

    async def test_unregistered_phone_same_answer_no_text(self, client, sms):
        r = await client.post("/v1/auth/otp", json={"phone": "0987654321"})
        assert r.status_code == 202 and r.json() == {"status": "accepted"}
        assert sms.messages() == []

    async def test_disabled_account_gets_no_code(self, client, factory, sms):
        account = await factory.account(status="disabled")
        assert (await client.post("/v1/auth/otp", json={"phone": account.phone})).status_code == 202
        assert sms.messages() == []

    async def test_resend_too_soon_is_429(self, client, factory):
        account = await factory.account()
        await client.post("/v1/auth/otp", json={"phone": account.phone})
        assert_problem(await client.post("/v1/auth/otp", json={"phone": account.phone}), 429, "otp.resend_too_soon")

    async def test_english_text(self, client, factory, sms):
        account = await factory.account()
        await client.post("/v1/auth/otp", json={"phone": account.phone}, headers={"Accept-Language": "en"})
        assert "sign-in code" in sms.messages(account.phone)[0]["body"]

    async def test_wrong_content_type_is_415(self, client):
        r = await client.post("/v1/auth/otp", data={"phone": "0912345678"})
        assert_problem(r, 415, "request.unsupported_media_type")
