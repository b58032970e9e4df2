"""Which failures mean "a backing service is unavailable" (503) and which are bugs (500).

Runs in process, without servers: a probe router raises what the drivers raise during outages.
"""

from __future__ import annotations

import asyncpg
import httpx
import pytest
import redis.exceptions
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError, IntegrityError

from miniapps.sdk import Module
from superapp import plugins
from superapp.app import create_app
from superapp.errors import PROBLEM_JSON, is_dependency_unavailable


def wrapped(orig: Exception) -> DBAPIError:
    """A driver error as SQLAlchemy re-raises it."""
    return DBAPIError("SELECT 1", {}, orig)


class TestClassification:
    @pytest.mark.parametrize(
        "exc",
        [
            ConnectionRefusedError(111, "Connection refused"),
            wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
            wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command")),
            wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation")),
            wrapped(asyncpg.exceptions._base.InterfaceError("the underlying connection is closed")),
            redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379"),
            redis.exceptions.TimeoutError("Timeout reading from socket"),
        ],
        ids=["refused", "starting_up", "admin_shutdown", "closed_mid_operation", "closed", "redis_down", "redis_timeout"],
    )
    def test_outages_are_unavailable(self, exc):
        assert is_dependency_unavailable(exc)

    @pytest.mark.parametrize(
        "exc",
        [
            IntegrityError("INSERT", {}, asyncpg.exceptions.UniqueViolationError("duplicate key")),
            wrapped(asyncpg.exceptions.UndefinedColumnError("column x does not exist")),
            wrapped(asyncpg.exceptions._base.DataError("invalid input for query argument $1 (value out of int64 range)")),
            redis.exceptions.ResponseError("WRONGTYPE"),
            ValueError("bad"),
        ],
        ids=["unique_violation", "undefined_column", "bad_argument", "redis_wrongtype", "value_error"],
    )
    def test_bugs_and_conflicts_are_not(self, exc):
        assert not is_dependency_unavailable(exc)


probe = APIRouter(prefix="/v1/test-outage")


@probe.get("/database")
async def database_down() -> dict:
    raise wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up"))


@probe.get("/redis")
async def redis_down() -> dict:
    raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379")


@probe.get("/bug")
async def bug() -> dict:
    raise wrapped(asyncpg.exceptions.UndefinedColumnError("column x does not exist"))


@pytest.fixture
async def probe_client(ctx):
    modules = [*plugins.load_core_modules(), Module(name="outage-probe", routers=[probe])]
    application = create_app(ctx.settings, ctx=ctx, modules=modules, miniapps=[], run_background_workers=False)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


class TestAnswers:
    @pytest.mark.parametrize("path", ["/v1/test-outage/database", "/v1/test-outage/redis"])
    async def test_an_outage_is_a_503_problem_handled_in_place(self, probe_client, path):
        # raise_app_exceptions=True: an error re-raised past the app would fail here.
        r = await probe_client.get(path, headers={"Accept-Language": "en"})
        assert r.status_code == 503
        assert r.headers["content-type"].startswith(PROBLEM_JSON)
        assert r.json()["code"] == "service_unavailable"
        assert r.headers["retry-after"] == "5"

    async def test_a_database_bug_stays_a_500_without_details(self, probe_client):
        r = await probe_client.get("/v1/test-outage/bug")
        assert r.status_code == 500
        assert r.json()["code"] == "internal"
        assert "column" not in r.text
