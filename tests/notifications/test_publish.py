"""The Python publishing API: inbox rows and outbox jobs in the caller's transaction."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from notifications.api import publish
from notifications.errors import BodyTooLong, DataTooLarge, TitleTooLong, UnknownCategory
from notifications.models import InboxItem, Notification, Preference
from superapp.db import unit_of_work
from superapp.ids import new_id
from superapp.models import OutboxJob

TITLE = {"vi": "Phản ánh đã được tiếp nhận", "en": "Report received"}
BODY = {"vi": "Cảm ơn bạn.", "en": "Thank you."}


async def count(ctx, model, *where) -> int:
    async with ctx.sessionmaker() as s:
        return (await s.exec(select(func.count()).select_from(model).where(*where))).one()


class TestTransaction:
    async def test_commit_writes_inbox_and_jobs(self, ctx, factory):
        a = await factory.account()
        async with unit_of_work(ctx.sessionmaker) as s:
            result = await publish(s, recipients=[a.id], category="system", title=TITLE, body=BODY)
        assert result.refused == [] and len(result.notification_ids) == 1
        assert await count(ctx, InboxItem, InboxItem.account_id == a.id) == 1
        assert await count(ctx, OutboxJob, OutboxJob.kind == "notifications.push") == 1

    async def test_rollback_leaves_nothing(self, ctx, factory):
        a = await factory.account()
        with pytest.raises(RuntimeError):
            async with unit_of_work(ctx.sessionmaker) as s:
                await publish(s, recipients=[a.id], category="system", title=TITLE, body=BODY)
                raise RuntimeError("caller failed")
        assert await count(ctx, InboxItem) == 0
        assert await count(ctx, Notification) == 0
        assert await count(ctx, OutboxJob) == 0


class TestRecipients:
    async def test_unknown_and_inactive_are_refused(self, ctx, factory):
        a = await factory.account()
        gone = await factory.account(status="disabled")
        stranger = new_id()
        async with unit_of_work(ctx.sessionmaker) as s:
            result = await publish(s, recipients=[a.id, gone.id, stranger], category="system", title=TITLE, body=BODY)
        assert sorted(r["recipient"] for r in result.refused) == sorted([str(gone.id), str(stranger)])
        assert {r["reason"] for r in result.refused} == {"unknown_recipient"}

    async def test_opted_out_of_both_channels_is_refused(self, ctx, factory):
        a = await factory.account()
        async with unit_of_work(ctx.sessionmaker) as s:
            s.add(Preference(account_id=a.id, category="broadcast", inbox=False, push=False))
        async with unit_of_work(ctx.sessionmaker) as s:
            result = await publish(s, recipients=[a.id], category="broadcast", title=TITLE, body=BODY)
        assert result.refused == [{"recipient": str(a.id), "reason": "opted_out"}]
        assert result.notification_ids == []

    async def test_critical_category_ignores_preferences(self, ctx, factory):
        a = await factory.account()
        async with unit_of_work(ctx.sessionmaker) as s:
            s.add(Preference(account_id=a.id, category="account.security", inbox=False, push=False))
        async with unit_of_work(ctx.sessionmaker) as s:
            result = await publish(s, recipients=[a.id], category="account.security", title=TITLE, body=BODY)
        assert result.refused == []
        assert await count(ctx, InboxItem, InboxItem.account_id == a.id) == 1


class TestIdempotency:
    async def test_same_key_publishes_once(self, ctx, factory):
        a = await factory.account()
        async with unit_of_work(ctx.sessionmaker) as s:
            first = await publish(
                s,
                recipients=[a.id],
                category="system",
                title=TITLE,
                body=BODY,
                source="feedback",
                idempotency_key="report-1:resolved",
            )
        async with unit_of_work(ctx.sessionmaker) as s:
            again = await publish(
                s,
                recipients=[a.id],
                category="system",
                title=TITLE,
                body=BODY,
                source="feedback",
                idempotency_key="report-1:resolved",
            )
        assert again.duplicate and again.notification_ids == first.notification_ids
        assert await count(ctx, InboxItem) == 1


class TestValidation:
    async def test_unknown_category(self, ctx, factory):
        a = await factory.account()
        async with ctx.sessionmaker() as s:
            with pytest.raises(UnknownCategory):
                await publish(s, recipients=[a.id], category="nope", title=TITLE, body=BODY)

    @pytest.mark.parametrize(
        ("title", "body", "data", "error"),
        [
            ("x" * 201, "ok", None, TitleTooLong),
            ({"vi": "ok", "en": "y" * 201}, "ok", None, TitleTooLong),
            ("ok", "b" * 2001, None, BodyTooLong),
            ("ok", "ok", {"blob": "z" * 4100}, DataTooLarge),
        ],
    )
    async def test_oversize_is_refused(self, ctx, factory, title, body, data, error):
        a = await factory.account()
        async with ctx.sessionmaker() as s:
            with pytest.raises(error):
                await publish(s, recipients=[a.id], category="system", title=title, body=body, data=data)

    async def test_missing_language_falls_back(self, ctx, factory):
        a = await factory.account()
        async with unit_of_work(ctx.sessionmaker) as s:
            result = await publish(s, recipients=[a.id], category="system", title={"vi": "Chỉ tiếng Việt"}, body=BODY)
        async with ctx.sessionmaker() as s:
            n = await s.get(Notification, result.notification_ids[0])
        assert n.title == {"vi": "Chỉ tiếng Việt", "en": "Chỉ tiếng Việt"}
