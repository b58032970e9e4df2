"""Fixtures of the scale-out and fault tests: real ``superapp`` processes on real backends.

- ``cluster``: two API processes (A, B) and one worker on one PostgreSQL database of its own
  (created on the server at ``SUPERAPP_TEST_DATABASE_URL`` or ``127.0.0.1:5432``, dropped at the
  end) and one Redis (``SUPERAPP_TEST_REDIS_URL`` or ``127.0.0.1:6379``) under a key prefix of
  its own. The worker pushes through a local fake FCM server. Skipped, with the reason, when
  PostgreSQL or Redis is unreachable.
- ``test_ctx``: an ``AppContext`` of the test process on the cluster's database and Redis, for
  factories and checks.

The fault tests start their own throwaway servers (``tests/reliability/servers.py``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from superapp.context import AppContext
from superapp.settings import Settings
from tests.reliability.processes import ApiProcess, ManagedProcess, WorkerProcess

PG_URL = os.environ.get("SUPERAPP_TEST_DATABASE_URL") or "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = os.environ.get("SUPERAPP_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
ISSUER = "http://superapp.reliability.test"
SECRET_KEY = "reliability-secret-key-0123456789abcdef"
PAIRWISE_SECRET = "reliability-pairwise-secret-0123456789"
OUTBOX_LEASE_SECONDS = 10


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


async def _reachable_postgres(url: str) -> str | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(_plain(url), timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        return f"PostgreSQL at {url} is unreachable: {exc!r}"
    await conn.close()
    return None


def _reachable_redis(url: str) -> str | None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis at {url} is unreachable: {exc!r}"
    finally:
        client.close()
    return None


def prepare_schema(database_url: str, data_dir: Path) -> None:
    """Tables from the models (as every test builds them), and Alembic told they exist, so that
    ``superapp serve``'s migration step has nothing to do."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlmodel import SQLModel

    from alembic import command
    from superapp.metadata import load_metadata
    from superapp.migrations import alembic_config

    load_metadata()

    async def create() -> None:
        engine = create_async_engine(database_url)
        async with engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)
        await engine.dispose()

    asyncio.run(create())
    command.stamp(alembic_config(Settings(database_url=database_url, data_dir=data_dir)), "heads")


@pytest.fixture(scope="session")
def backends() -> tuple[str, str]:
    """The shared PostgreSQL server and Redis, or a skip saying which is missing.

    These tests run in the PostgreSQL + Redis pass of the suite (``SUPERAPP_TEST_DATABASE_URL``
    set): they start processes of their own, so a second run in the SQLite pass would only
    repeat the same checks."""
    if not os.environ.get("SUPERAPP_TEST_DATABASE_URL"):
        pytest.skip("scale-out and fault tests run in the PostgreSQL + Redis pass (SUPERAPP_TEST_DATABASE_URL)")
    reason = asyncio.run(_reachable_postgres(PG_URL)) or _reachable_redis(REDIS_URL)
    if reason:
        pytest.skip(f"scale-out and fault tests need PostgreSQL and Redis: {reason}")
    return PG_URL, REDIS_URL


@pytest.fixture(scope="session")
def reliability_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="superapp-reliability-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def own_database(backends, reliability_dir) -> Iterator[str]:
    """A database of these tests on the shared server, with every table; dropped at the end."""
    import asyncpg

    pg_url, _ = backends
    name = f"superapp_reliability_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(_plain(pg_url))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    url = _with_database(pg_url, name)
    try:
        prepare_schema(url, reliability_dir)
        yield url
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def fake_fcm(reliability_dir):
    """A fake FCM server that answers each push after a short pause (a broadcast takes a while)."""
    from tests.notifications.fake_fcm import FakeFcmServer
    from tests.reliability.slow_fcm import SlowFakeFcm

    server = FakeFcmServer(SlowFakeFcm()).start()
    server.credentials_file = server.write_service_account(reliability_dir / "fcm-service-account.json")
    yield server
    server.stop()


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment a ``superapp`` process needs to run with ``settings``."""
    env = {
        "SUPERAPP_ENVIRONMENT": "production",
        "SUPERAPP_DATA_DIR": str(settings.data_dir),
        "SUPERAPP_DATABASE_URL": settings.resolved_database_url,
        "SUPERAPP_REDIS_PREFIX": settings.redis_prefix,
        "SUPERAPP_SECRET_KEY": settings.secret_key or "",
        "SUPERAPP_PAIRWISE_SECRET": settings.pairwise_secret or "",
        "SUPERAPP_ISSUER": settings.resolved_issuer,
        "SUPERAPP_ARGON2_TIME_COST": str(settings.argon2_time_cost),
        "SUPERAPP_ARGON2_MEMORY_COST": str(settings.argon2_memory_cost),
        "SUPERAPP_WORKER_POLL_SECONDS": str(settings.worker_poll_seconds),
        "SUPERAPP_OUTBOX_LEASE_SECONDS": str(settings.outbox_lease_seconds),
        "SUPERAPP_LOG_LEVEL": "WARNING",
        "SUPERAPP_LOG_JSON": "false",
        "SUPERAPP_PUSH_BACKEND": settings.push_backend,
    }
    if settings.redis_url:
        env["SUPERAPP_REDIS_URL"] = settings.redis_url
    for name in ("fcm_credentials_file", "fcm_project_id", "fcm_endpoint"):
        value = getattr(settings, name)
        if value:
            env[f"SUPERAPP_{name.upper()}"] = str(value)
    return env


def process_settings(reliability_dir: Path, database_url: str, redis_url: str | None, **overrides) -> Settings:
    values = {
        "environment": "test",
        "data_dir": reliability_dir / "data",
        "database_url": database_url,
        "redis_url": redis_url,
        "redis_prefix": f"rel{uuid.uuid4().hex[:10]}:",
        "issuer": ISSUER,
        "secret_key": SECRET_KEY,
        "pairwise_secret": PAIRWISE_SECRET,
        "argon2_time_cost": 1,
        "argon2_memory_cost": 8192,
        "workers_enabled": False,
        "worker_poll_seconds": 0.2,
        "outbox_lease_seconds": OUTBOX_LEASE_SECONDS,
        "log_json": False,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Cluster:
    settings: Settings
    a: ApiProcess
    b: ApiProcess
    worker: WorkerProcess
    fcm: object
    processes: list[ManagedProcess] = field(default_factory=list)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} (pid {p.pid})\n{p.log_tail()}" for p in self.processes)


@pytest.fixture(scope="session")
def cluster(backends, own_database, reliability_dir, fake_fcm) -> Iterator[Cluster]:
    """API processes A and B (``superapp serve --no-workers``) and one ``superapp worker``,
    started together on the same database, Redis and secrets."""
    from tests.reliability.processes import process_env

    _, redis_url = backends
    settings = process_settings(
        reliability_dir,
        own_database,
        redis_url,
        push_backend="fcm",
        fcm_credentials_file=str(fake_fcm.credentials_file),
        fcm_project_id=fake_fcm.fake.project_id,
        fcm_endpoint=fake_fcm.url,
    )
    env = process_env(settings_env(settings))
    logs = reliability_dir / "logs"
    logs.mkdir(exist_ok=True)
    a = ApiProcess("api-a", env, logs)
    b = ApiProcess("api-b", env, logs)
    worker = WorkerProcess("worker", env, logs)
    group = Cluster(settings, a, b, worker, fake_fcm.fake, [a, b, worker])
    try:
        a.start()
        b.start()
        a.wait_ready()
        b.wait_ready()
        worker.start()
        yield group
    finally:
        for process in group.processes:
            process.stop()
        asyncio.run(_delete_prefix(redis_url, settings.redis_prefix))


async def _delete_prefix(redis_url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    try:
        keys = [k async for k in client.scan_iter(match=prefix + "*", count=1000)]
        for i in range(0, len(keys), 1000):
            await client.delete(*keys[i : i + 1000])
    finally:
        await client.aclose()


@pytest.fixture
async def test_ctx(cluster) -> AsyncIterator[AppContext]:
    """The test process's own context on the cluster's database and Redis."""
    ctx = AppContext.build(cluster.settings)
    yield ctx
    await ctx.close()


@pytest.fixture
def factory(test_ctx):
    from tests.factories import Factory

    return Factory(test_ctx)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of every process log to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and "cluster" in getattr(item, "funcargs", {}):
        report.sections.append(("superapp processes", item.funcargs["cluster"].logs()))
