"""One-time codes: format, single use, attempt limit, expiry, resend throttle, never logged."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime

import pytest

from auth.otp import OtpResult, OtpThrottled, check_otp, send_otp, verify_otp
from auth.phones import InvalidPhone
from auth.sms import OutboxSmsSender

PHONE = "+84912000001"


class TestSending:
    async def test_code_is_six_digits_and_texted_to_the_phone(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        [message] = sms.messages(PHONE)
        assert len(message["code"]) == 6 and message["code"].isdigit()
        assert message["code"] in message["body"]
        assert set(message) == {"to", "body", "code", "sent_at"}

    async def test_text_follows_the_language(self, ctx, sms, allow_resend):
        await send_otp(ctx, phone=PHONE, purpose="login", lang="vi")
        await allow_resend(PHONE, "login")
        await send_otp(ctx, phone=PHONE, purpose="login", lang="en")
        vi, en = sms.messages(PHONE)
        assert "mã đăng nhập" in vi["body"]
        assert "sign-in code" in en["body"]

    async def test_national_form_is_sent_to_e164(self, ctx, sms):
        await send_otp(ctx, phone="0912000001", purpose="login")
        assert sms.messages(PHONE)

    async def test_malformed_phone_is_refused(self, ctx, sms):
        with pytest.raises(InvalidPhone):
            await send_otp(ctx, phone="12345", purpose="login")
        assert sms.messages() == []

    async def test_resend_too_soon_is_429_with_retry_after(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        with pytest.raises(OtpThrottled) as caught:
            await send_otp(ctx, phone=PHONE, purpose="login")
        assert caught.value.status == 429
        assert caught.value.code == "otp.resend_too_soon"
        assert int(caught.value.headers["Retry-After"]) >= 1
        assert len(sms.messages(PHONE)) == 1

    async def test_throttle_is_per_purpose(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        await send_otp(ctx, phone=PHONE, purpose="password_reset")
        assert len(sms.messages(PHONE)) == 2

    async def test_hourly_cap(self, ctx, sms, allow_resend):
        for _ in range(10):
            await allow_resend(PHONE, "login")
            await send_otp(ctx, phone=PHONE, purpose="login")
        await allow_resend(PHONE, "login")
        with pytest.raises(OtpThrottled) as caught:
            await send_otp(ctx, phone=PHONE, purpose="login")
        assert caught.value.code == "otp.too_many_sends"

    async def test_code_never_appears_in_logs(self, ctx, sms, caplog):
        caplog.set_level(logging.DEBUG)
        await send_otp(ctx, phone=PHONE, purpose="login")
        code = sms.last_code(PHONE)
        await verify_otp(ctx, phone=PHONE, purpose="login", code=code)
        assert code not in caplog.text

    async def test_code_is_not_stored_in_clear(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        code = sms.last_code(PHONE)
        stored = await ctx.redis.hgetall(ctx.rkey("otp", "login", PHONE))
        assert stored and all(code.encode() not in v for v in stored.values())


class TestVerifying:
    async def test_right_code_works_once(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        code = sms.last_code(PHONE)
        assert await verify_otp(ctx, phone=PHONE, purpose="login", code=code) is True
        assert await verify_otp(ctx, phone=PHONE, purpose="login", code=code) is False

    async def test_concurrent_uses_of_one_code_succeed_once(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        code = sms.last_code(PHONE)
        results = await asyncio.gather(*[verify_otp(ctx, phone=PHONE, purpose="login", code=code) for _ in range(5)])
        assert results.count(True) == 1

    async def test_replay_is_reported_as_already_used(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        code = sms.last_code(PHONE)
        assert await check_otp(ctx, phone=PHONE, purpose="login", code=code) is OtpResult.OK
        assert await check_otp(ctx, phone=PHONE, purpose="login", code=code) is OtpResult.REPLAYED

    async def test_code_for_another_purpose_does_not_work(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="password_reset")
        code = sms.last_code(PHONE)
        assert await verify_otp(ctx, phone=PHONE, purpose="login", code=code) is False
        assert await verify_otp(ctx, phone=PHONE, purpose="password_reset", code=code) is True

    async def test_wrong_code_is_invalid(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        wrong = f"{(int(sms.last_code(PHONE)) + 1) % 1_000_000:06d}"
        assert await check_otp(ctx, phone=PHONE, purpose="login", code=wrong) is OtpResult.INVALID

    async def test_five_failures_kill_the_code(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        code = sms.last_code(PHONE)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        results = [await check_otp(ctx, phone=PHONE, purpose="login", code=wrong) for _ in range(5)]
        assert results == [OtpResult.INVALID] * 4 + [OtpResult.TOO_MANY_ATTEMPTS]
        assert await check_otp(ctx, phone=PHONE, purpose="login", code=code) is OtpResult.TOO_MANY_ATTEMPTS

    async def test_fifth_attempt_may_still_be_right(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        code = sms.last_code(PHONE)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(4):
            await verify_otp(ctx, phone=PHONE, purpose="login", code=wrong)
        assert await verify_otp(ctx, phone=PHONE, purpose="login", code=code) is True

    async def test_expired_code_is_refused(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        code = sms.last_code(PHONE)
        await ctx.redis.delete(ctx.rkey("otp", "login", PHONE))  # what the TTL does after 5 minutes
        assert await check_otp(ctx, phone=PHONE, purpose="login", code=code) is OtpResult.EXPIRED

    async def test_code_lives_five_minutes(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        ttl = await ctx.redis.ttl(ctx.rkey("otp", "login", PHONE))
        assert 290 <= ttl <= 300

    async def test_new_code_replaces_the_old_one(self, ctx, sms, allow_resend):
        await send_otp(ctx, phone=PHONE, purpose="login")
        first = sms.last_code(PHONE)
        await allow_resend(PHONE, "login")
        await send_otp(ctx, phone=PHONE, purpose="login")
        second = sms.last_code(PHONE)
        if first != second:
            assert await verify_otp(ctx, phone=PHONE, purpose="login", code=first) is False
        assert await verify_otp(ctx, phone=PHONE, purpose="login", code=second) is True

    async def test_never_sent_is_expired(self, ctx):
        assert await check_otp(ctx, phone=PHONE, purpose="login", code="123456") is OtpResult.EXPIRED
        assert await ctx.redis.ttl(ctx.rkey("otp", "login", PHONE)) > 0  # no immortal key left behind

    async def test_malformed_code_counts_as_wrong(self, ctx, sms):
        await send_otp(ctx, phone=PHONE, purpose="login")
        assert await check_otp(ctx, phone=PHONE, purpose="login", code="12ab") is OtpResult.INVALID


class TestOutboxFile:
    async def test_concurrent_writers_leave_whole_lines(self, tmp_path):
        sender = OutboxSmsSender(tmp_path / "sms-outbox.jsonl")
        await asyncio.gather(*[sender.send(to=f"+8491200{i:04d}", body="x" * 500, code=f"{i:06d}") for i in range(40)])
        lines = (tmp_path / "sms-outbox.jsonl").read_text(encoding="utf-8").splitlines()
        assert sorted(json.loads(line)["code"] for line in lines) == [f"{i:06d}" for i in range(40)]

    async def test_sent_at_is_rfc3339_with_offset(self, tmp_path):
        sender = OutboxSmsSender(tmp_path / "sms-outbox.jsonl")
        await sender.send(to=PHONE, body="hello")
        [line] = (tmp_path / "sms-outbox.jsonl").read_text(encoding="utf-8").splitlines()
        sent_at = datetime.fromisoformat(json.loads(line)["sent_at"])
        assert sent_at.utcoffset() is not None
