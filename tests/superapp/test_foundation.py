"""The host's cross-cutting behaviour: probes, problem+json, languages, size limits,
idempotency, pagination cursors."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import func, select

from miniapps.sdk import Module
from superapp import plugins
from superapp.app import create_app
from superapp.audit import record
from superapp.db import SessionDep
from superapp.errors import PROBLEM_JSON, NotFound
from superapp.models import AuditEntry
from superapp.pagination import InvalidCursor, decode_cursor, encode_cursor

probe = APIRouter(prefix="/v1/test-probe")


class NoteIn(BaseModel):
    text: str


@probe.post("/notes", status_code=201)
async def create_note(body: NoteIn, session: SessionDep) -> dict:
    entry = await record(session, action="note.create", target_type="note", target_id="x", detail={"text": body.text})
    return {"id": str(entry.id), "text": body.text}


@probe.get("/missing")
async def missing() -> dict:
    raise NotFound()


@probe.post("/fail")
async def fail(session: SessionDep) -> dict:
    await record(session, action="note.fail", target_type="note", target_id="y")
    raise RuntimeError("boom")


@pytest.fixture
async def probe_client(ctx):
    modules = [*plugins.load_core_modules(), Module(name="probe", routers=[probe])]
    application = create_app(ctx.settings, ctx=ctx, modules=modules, miniapps=[], run_background_workers=False)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


async def count_audit(ctx, action: str) -> int:
    async with ctx.sessionmaker() as s:
        return (await s.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))).one()


class TestProbes:
    async def test_healthz(self, client):
        r = await client.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}

    async def test_readyz_checks_database_and_redis(self, client):
        r = await client.get("/readyz")
        assert r.status_code == 200
        assert r.json()["checks"] == {"database": "ok", "redis": "ok"}

    async def test_readyz_reports_redis_down(self, client, app):
        class DeadRedis:
            async def ping(self):
                raise ConnectionError("down")

        real = app.state.ctx.redis
        app.state.ctx.redis = DeadRedis()
        try:
            r = await client.get("/readyz")
        finally:
            app.state.ctx.redis = real
        assert r.status_code == 503 and r.json()["checks"]["redis"].startswith("error")

    async def test_openapi_and_docs(self, client):
        assert (await client.get("/openapi.json")).status_code == 200
        assert (await client.get("/docs")).status_code == 200


class TestProblems:
    async def test_unknown_path_is_problem_json_in_vietnamese_by_default(self, client):
        r = await client.get("/v1/nothing-here")
        assert r.status_code == 404
        assert r.headers["content-type"].startswith(PROBLEM_JSON)
        body = r.json()
        assert body["code"] == "not_found" and body["status"] == 404
        assert body["detail"] == "Không tìm thấy."
        assert {"type", "title", "status", "detail", "code"} <= body.keys()

    async def test_english_when_asked(self, probe_client):
        r = await probe_client.get("/v1/test-probe/missing", headers={"Accept-Language": "en-US,en;q=0.9"})
        assert r.json()["detail"] == "Not found."

    async def test_validation_error_lists_fields(self, probe_client):
        r = await probe_client.post("/v1/test-probe/notes", json={"wrong": 1})
        assert r.status_code == 422
        body = r.json()
        assert body["code"] == "request.invalid"
        assert any(e["field"] == "text" for e in body["errors"])

    async def test_malformed_json_is_400(self, probe_client):
        r = await probe_client.post(
            "/v1/test-probe/notes", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 400 and r.json()["code"] == "request.malformed_json"

    async def test_oversize_body_is_413(self, probe_client, ctx):
        big = b'{"text": "' + b"a" * (ctx.settings.max_json_bytes + 10) + b'"}'
        r = await probe_client.post("/v1/test-probe/notes", content=big, headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and r.json()["code"] == "request.too_large"
        assert await count_audit(ctx, "note.create") == 0

    async def test_unexpected_error_is_500_problem_and_rolls_back(self, probe_client, ctx):
        r = await probe_client.post("/v1/test-probe/fail")
        assert r.status_code == 500 and r.json()["code"] == "internal"
        assert await count_audit(ctx, "note.fail") == 0

    async def test_request_id_and_security_headers(self, client):
        r = await client.get("/healthz", headers={"X-Request-ID": "abc123"})
        assert r.headers["x-request-id"] == "abc123"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


class TestIdempotency:
    async def test_retry_returns_first_answer_and_creates_nothing(self, probe_client, ctx):
        h = {"Idempotency-Key": "k-1"}
        first = await probe_client.post("/v1/test-probe/notes", json={"text": "hello"}, headers=h)
        second = await probe_client.post("/v1/test-probe/notes", json={"text": "hello"}, headers=h)
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert second.headers.get("idempotent-replayed") == "true"
        assert await count_audit(ctx, "note.create") == 1

    async def test_same_key_other_body_is_422(self, probe_client, ctx):
        h = {"Idempotency-Key": "k-2"}
        await probe_client.post("/v1/test-probe/notes", json={"text": "a"}, headers=h)
        r = await probe_client.post("/v1/test-probe/notes", json={"text": "b"}, headers=h)
        assert r.status_code == 422 and r.json()["code"] == "idempotency.key_reused"
        assert await count_audit(ctx, "note.create") == 1

    async def test_keys_are_scoped_to_the_caller(self, probe_client, ctx):
        await probe_client.post("/v1/test-probe/notes", json={"text": "a"}, headers={"Idempotency-Key": "k-3", "Authorization": "Bearer one"})
        await probe_client.post("/v1/test-probe/notes", json={"text": "a"}, headers={"Idempotency-Key": "k-3", "Authorization": "Bearer two"})
        assert await count_audit(ctx, "note.create") == 2

    async def test_server_errors_are_not_kept(self, probe_client, ctx):
        h = {"Idempotency-Key": "k-4"}
        assert (await probe_client.post("/v1/test-probe/fail", headers=h)).status_code == 500
        assert (await probe_client.post("/v1/test-probe/fail", headers=h)).status_code == 500

    async def test_invalid_key(self, probe_client):
        r = await probe_client.post("/v1/test-probe/notes", json={"text": "a"}, headers={"Idempotency-Key": "x" * 300})
        assert r.status_code == 400 and r.json()["code"] == "idempotency.invalid_key"


class TestCursor:
    def test_round_trip(self):
        assert decode_cursor(encode_cursor(["2026-01-01T00:00:00+00:00", "abc"]), 2) == [
            "2026-01-01T00:00:00+00:00",
            "abc",
        ]

    @pytest.mark.parametrize("bad", ["!!!", "e30", "W10", "a" * 2000])
    def test_garbage_is_refused(self, bad):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, 2)


class TestIdempotencyStorage:
    async def test_stored_answers_are_encrypted(self, probe_client, ctx):
        from superapp.models import IdempotencyRecord

        await probe_client.post("/v1/test-probe/notes", json={"text": "secret-value-123"}, headers={"Idempotency-Key": "enc"})
        async with ctx.sessionmaker() as s:
            rows = (await s.exec(select(IdempotencyRecord))).all()
        assert len(rows) == 1 and rows[0].response_body
        assert b"secret-value-123" not in rows[0].response_body
        again = await probe_client.post(
            "/v1/test-probe/notes", json={"text": "secret-value-123"}, headers={"Idempotency-Key": "enc"}
        )
        assert again.json()["text"] == "secret-value-123"


class TestUnitOfWork:
    async def test_commit_happens_before_the_response_is_sent(self, ctx):
        """A failing commit must reach the client as an error, not follow a 201 it already got."""
        from sqlalchemy import event

        modules = [*plugins.load_core_modules(), Module(name="probe", routers=[probe])]
        application = create_app(ctx.settings, ctx=ctx, modules=modules, miniapps=[], run_background_workers=False)

        def fail_commit(session):
            raise RuntimeError("commit failed")

        from sqlalchemy.orm import Session

        async with LifespanManager(application):
            transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                event.listen(Session, "before_commit", fail_commit)
                try:
                    r = await c.post("/v1/test-probe/notes", json={"text": "x"})
                finally:
                    event.remove(Session, "before_commit", fail_commit)
        assert r.status_code == 500
        assert await count_audit(ctx, "note.create") == 0


class TestIdempotencyMultipart:
    def test_boundary_does_not_change_the_request_hash(self):
        from superapp.idempotency import _without_boundary

        def form(boundary: str, value: str) -> bytes:
            return (
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n{value}\r\n--{boundary}--\r\n"
            ).encode()

        a = _without_boundary(form("aaa111", "hố trên đường"), "multipart/form-data; boundary=aaa111")
        b = _without_boundary(form("bbb222", "hố trên đường"), 'multipart/form-data; boundary="bbb222"')
        c = _without_boundary(form("ccc333", "khác"), "multipart/form-data; boundary=ccc333")
        assert a == b
        assert a != c


class TestOverload:
    def test_pool_exhaustion_and_redis_pool_limits_are_unavailable_not_bugs(self):
        from redis.exceptions import ConnectionError as RedisConnectionError
        from sqlalchemy.exc import TimeoutError as PoolTimeout

        from superapp.errors import is_dependency_unavailable

        assert is_dependency_unavailable(PoolTimeout("QueuePool limit of size 10 overflow 20 reached"))
        assert is_dependency_unavailable(RedisConnectionError("Too many connections"))
        assert not is_dependency_unavailable(ValueError("a bug"))
