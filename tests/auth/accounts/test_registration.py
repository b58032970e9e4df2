"""Registration by phone + password with an SMS code (POST /v1/accounts, /v1/accounts/verify)."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlmodel import func, select

from auth.credentials import authenticate_password
from auth.models import Account
from superapp.errors import PROBLEM_JSON

PASSWORD = "Song-Hong-2026"


async def count_accounts(ctx) -> int:
    async with ctx.sessionmaker() as session:
        return (await session.exec(select(func.count()).select_from(Account))).one()


def body(phone="0912345678", **over):
    data = {"phone": phone, "password": PASSWORD, "full_name": "Nguyễn Văn An"}
    data.update(over)
    return data


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem = response.json()
    assert problem["code"] == code
    assert problem["status"] == status and problem["title"] and problem["detail"]
    return problem


class TestRegister:
    async def test_creates_pending_account_and_texts_code(self, client, sms, load_account):
        r = await client.post("/v1/accounts", json=body(email="An.Nguyen@Example.VN"))
        assert r.status_code == 201
        assert r.json()["status"] == "pending_verification"
        account = await load_account(uuid.UUID(r.json()["id"]))
        assert account.status == "pending_verification" and account.identity_level == 0
        assert account.email == "an.nguyen@example.vn"
        assert account.password_hash.startswith("$argon2id$")
        assert len(sms.messages("+84912345678")) == 1

    async def test_phone_stored_as_e164_for_the_three_accepted_forms(self, client, load_account):
        for form, e164 in [
            ("0912345671", "+84912345671"),
            ("+84912345672", "+84912345672"),
            ("84912345673", "+84912345673"),
        ]:
            r = await client.post("/v1/accounts", json=body(phone=form))
            assert r.status_code == 201, form
            assert (await load_account(uuid.UUID(r.json()["id"]))).phone == e164

    async def test_malformed_phone_is_422(self, client, ctx):
        for phone in ["12345", "0112345678", "+1 415 555 0100", "09123456789012", "abc"]:
            assert_problem(await client.post("/v1/accounts", json=body(phone=phone)), 422, "account.invalid_phone")
        assert await count_accounts(ctx) == 0

    @pytest.mark.parametrize(
        ("password", "code"),
        [
            ("short1!", "account.password_too_short"),
            ("password123", "account.password_too_common"),
            ("x" * 129, "account.password_too_long"),
            ("", "account.password_required"),
        ],
    )
    async def test_weak_password_is_422(self, client, ctx, sms, password, code):
        assert_problem(await client.post("/v1/accounts", json=body(password=password)), 422, code)
        assert await count_accounts(ctx) == 0
        assert sms.messages() == []

    async def test_missing_password_is_422(self, client, ctx):
        data = body()
        del data["password"]
        assert_problem(await client.post("/v1/accounts", json=data), 422, "account.password_required")
        assert await count_accounts(ctx) == 0

    async def test_invalid_email_is_422(self, client, ctx):
        assert_problem(await client.post("/v1/accounts", json=body(email="not-an-email")), 422, "account.invalid_email")
        assert await count_accounts(ctx) == 0

    async def test_control_characters_in_name_are_422(self, client, ctx):
        for name in ("Nguyễn\x00An", "An\u202eNguyễn"):
            r = await client.post("/v1/accounts", json=body(full_name=name))
            assert_problem(r, 422, "account.invalid_name")
        assert await count_accounts(ctx) == 0

    async def test_name_is_stored_nfc_with_single_spaces(self, client, load_account):
        import unicodedata

        r = await client.post("/v1/accounts", json=body(full_name=unicodedata.normalize("NFD", "  Nguyễn   Văn An ")))
        assert (await load_account(uuid.UUID(r.json()["id"]))).full_name == "Nguyễn Văn An"

    async def test_missing_name_is_request_invalid(self, client):
        data = body()
        del data["full_name"]
        problem = assert_problem(await client.post("/v1/accounts", json=data), 422, "request.invalid")
        assert any(e["field"] == "full_name" for e in problem["errors"])

    async def test_active_phone_is_409(self, client, factory, ctx):
        await factory.account(phone="+84912345678")
        assert_problem(await client.post("/v1/accounts", json=body()), 409, "account.phone_taken")
        assert await count_accounts(ctx) == 1

    async def test_email_of_another_account_is_409(self, client, factory):
        await factory.account(email="an@example.vn")
        assert_problem(await client.post("/v1/accounts", json=body(email="AN@example.vn")), 409, "account.email_taken")

    async def test_pending_phone_updates_the_same_account_and_resends(
        self, client, ctx, sms, allow_resend, load_account
    ):
        first = await client.post("/v1/accounts", json=body(full_name="Tên Cũ"))
        await allow_resend("+84912345678", "register")
        second = await client.post("/v1/accounts", json=body(phone="+84912345678", full_name="Tên Mới"))
        assert second.status_code == 201 and second.json()["id"] == first.json()["id"]
        assert await count_accounts(ctx) == 1
        assert (await load_account(uuid.UUID(first.json()["id"]))).full_name == "Tên Mới"
        assert len(sms.messages("+84912345678")) == 2

    async def test_pending_phone_too_soon_is_429_and_changes_nothing(self, client, load_account):
        first = await client.post("/v1/accounts", json=body(full_name="Tên Cũ"))
        r = await client.post("/v1/accounts", json=body(full_name="Tên Mới"))
        assert_problem(r, 429, "otp.resend_too_soon")
        assert int(r.headers["retry-after"]) >= 1
        assert (await load_account(uuid.UUID(first.json()["id"]))).full_name == "Tên Cũ"

    async def test_wrong_content_type_is_415(self, client, ctx):
        r = await client.post("/v1/accounts", content=b"phone=0912345678", headers={"content-type": "text/plain"})
        assert_problem(r, 415, "request.unsupported_media_type")
        assert await count_accounts(ctx) == 0

    async def test_malformed_json_is_400(self, client):
        r = await client.post("/v1/accounts", content=b"{not json", headers={"content-type": "application/json"})
        assert_problem(r, 400, "request.malformed_json")

    async def test_oversize_body_is_413(self, client, ctx):
        r = await client.post("/v1/accounts", json=body(full_name="A" * (2 * 1024 * 1024)))
        assert_problem(r, 413, "request.too_large")
        assert await count_accounts(ctx) == 0

    async def test_english_messages(self, client):
        r = await client.post("/v1/accounts", json=body(phone="123"), headers={"Accept-Language": "en"})
        assert r.json()["detail"] == "The phone number is not a valid Vietnamese number."

    async def test_idempotency_key_replays_first_answer(self, client, ctx, sms):
        headers = {"Idempotency-Key": "reg-1"}
        first = await client.post("/v1/accounts", json=body(), headers=headers)
        again = await client.post("/v1/accounts", json=body(), headers=headers)
        assert again.status_code == 201 and again.json() == first.json()
        assert len(sms.messages()) == 1 and await count_accounts(ctx) == 1


class TestVerify:
    async def test_code_activates_at_level_1(self, client, sms, load_account):
        r = await client.post("/v1/accounts", json=body())
        code = sms.last_code("+84912345678")
        v = await client.post("/v1/accounts/verify", json={"phone": "0912345678", "code": code})
        assert v.status_code == 200
        assert v.json() == {"id": r.json()["id"], "status": "active", "identity_level": 1}
        account = await load_account(uuid.UUID(r.json()["id"]))
        assert account.is_active and account.verified_at is not None

    async def test_wrong_code_is_400_and_account_stays_pending(self, client, sms, load_account):
        r = await client.post("/v1/accounts", json=body())
        wrong = f"{(int(sms.last_code('+84912345678')) + 1) % 1_000_000:06d}"
        v = await client.post("/v1/accounts/verify", json={"phone": "0912345678", "code": wrong})
        assert_problem(v, 400, "otp.invalid")
        assert (await load_account(uuid.UUID(r.json()["id"]))).status == "pending_verification"

    async def test_expired_code_is_400(self, client, ctx, sms):
        await client.post("/v1/accounts", json=body())
        code = sms.last_code("+84912345678")
        await ctx.redis.delete(ctx.rkey("otp", "register", "+84912345678"))
        v = await client.post("/v1/accounts/verify", json={"phone": "0912345678", "code": code})
        assert_problem(v, 400, "otp.expired")

    async def test_replayed_code_is_refused(self, client, sms):
        await client.post("/v1/accounts", json=body())
        code = sms.last_code("+84912345678")
        assert (await client.post("/v1/accounts/verify", json={"phone": "0912345678", "code": code})).status_code == 200
        again = await client.post("/v1/accounts/verify", json={"phone": "0912345678", "code": code})
        assert_problem(again, 409, "account.not_pending")

    async def test_too_many_attempts(self, client, sms):
        await client.post("/v1/accounts", json=body())
        code = sms.last_code("+84912345678")
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        codes = [
            (await client.post("/v1/accounts/verify", json={"phone": "0912345678", "code": wrong})).json()["code"]
            for _ in range(5)
        ]
        assert codes == ["otp.invalid"] * 4 + ["otp.too_many_attempts"]
        last = await client.post("/v1/accounts/verify", json={"phone": "0912345678", "code": code})
        assert_problem(last, 400, "otp.too_many_attempts")

    async def test_unknown_phone_is_409(self, client):
        v = await client.post("/v1/accounts/verify", json={"phone": "0912345678", "code": "123456"})
        assert_problem(v, 409, "account.not_pending")

    async def test_malformed_phone_is_422(self, client):
        v = await client.post("/v1/accounts/verify", json={"phone": "12", "code": "123456"})
        assert_problem(v, 422, "account.invalid_phone")


class TestCodesStayOutOfLogs:
    async def test_register_and_verify_never_log_the_code(self, client, sms, caplog):
        caplog.set_level(logging.DEBUG)
        await client.post("/v1/accounts", json=body())
        code = sms.last_code("+84912345678")
        await client.post("/v1/accounts/verify", json={"phone": "0912345678", "code": code})
        assert caplog.records, "the requests were logged"
        assert code not in caplog.text


class TestLoginEligibility:
    async def test_unverified_account_cannot_sign_in(self, client, ctx):
        await client.post("/v1/accounts", json=body())
        async with ctx.sessionmaker() as session:
            assert await authenticate_password(ctx, session, "0912345678", PASSWORD) is None

    async def test_verified_account_can_sign_in(self, client, ctx, sms):
        await client.post("/v1/accounts", json=body())
        code = sms.last_code("+84912345678")
        await client.post("/v1/accounts/verify", json={"phone": "0912345678", "code": code})
        async with ctx.sessionmaker() as session:
            account = await authenticate_password(ctx, session, "+84912345678", PASSWORD)
        assert account is not None and account.phone == "+84912345678"
