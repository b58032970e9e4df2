"""PostgreSQL restarted under load: requests fail cleanly with 503 problem+json while it is
down, never hang or answer 500, and the same app process recovers once it is back.

The API process runs against a PostgreSQL server of this module's own (``initdb`` into a
temporary directory, a free port), stopped with a fast shutdown and started again mid-test.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from superapp.context import AppContext
from superapp.errors import PROBLEM_JSON
from tests.reliability.conftest import prepare_schema, process_settings, settings_env
from tests.reliability.processes import ApiProcess, process_env
from tests.reliability.servers import ThrowawayPostgres, Unavailable

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
CLIENTS = 6
REQUEST_TIMEOUT_SECONDS = 20  # a request slower than this counts as a hang
RECOVERY_DEADLINE_SECONDS = 30
OUTAGE_SECONDS = 3


@dataclass
class PgStage:
    postgres: ThrowawayPostgres
    api: ApiProcess
    settings: object


@pytest.fixture(scope="module")
def stage(reliability_dir) -> Iterator[PgStage]:
    try:
        postgres = ThrowawayPostgres().init()
        postgres.start()
    except Unavailable as exc:
        pytest.skip(f"cannot run a throwaway PostgreSQL server: {exc}")
    try:
        prepare_schema(postgres.url, reliability_dir)
        settings = process_settings(reliability_dir, postgres.url, None)
        logs = reliability_dir / "logs"
        logs.mkdir(exist_ok=True)
        api = ApiProcess("api-postgres-faults", process_env(settings_env(settings)), logs)
        try:
            api.start()
            api.wait_ready()
            yield PgStage(postgres, api, settings)
        finally:
            api.stop()
    finally:
        postgres.destroy()


@dataclass
class Load:
    """Answers seen by the load clients, in the order they came."""

    answers: list[tuple[float, int, str | None]] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)

    def record(self, r: httpx.Response) -> None:
        code = None
        if r.status_code != 200:
            if not r.headers.get("content-type", "").startswith(PROBLEM_JSON):
                self.bad.append(f"{r.status_code} {r.headers.get('content-type')}: {r.text[:300]}")
            else:
                code = r.json().get("code")
        if r.status_code not in (200, 503) or (r.status_code == 503 and code != "service_unavailable"):
            self.bad.append(f"{r.request.method} {r.request.url.path} → {r.status_code}: {r.text[:300]}")
        self.answers.append((time.monotonic(), r.status_code, code))

    def statuses(self, since: float = 0.0) -> Counter:
        return Counter(status for t, status, _ in self.answers if t >= since)


async def drive(http: httpx.AsyncClient, base: str, headers: dict[str, str], load: Load, stop: asyncio.Event) -> None:
    """One client: a read of the profile, the inbox, and writes (one with an Idempotency-Key,
    as the mobile app sends them), in a loop."""
    calls = (
        ("GET", "/v1/me", False),
        ("GET", "/v1/notifications", False),
        ("POST", "/v1/notifications/read-all", False),
        ("POST", "/v1/notifications/read-all", True),
    )
    while not stop.is_set():
        for method, path, idempotent in calls:
            extra = {"Idempotency-Key": uuid.uuid4().hex} if idempotent else {}
            try:
                r = await http.request(method, base + path, headers={**headers, **extra})
            except httpx.TimeoutException:
                load.bad.append(f"{method} {path} hung for more than {REQUEST_TIMEOUT_SECONDS} s")
                continue
            except httpx.TransportError as exc:
                load.bad.append(f"{method} {path}: the connection broke without an answer ({exc!r})")
                continue
            load.record(r)
        await asyncio.sleep(0.05)


class TestPostgresRestartUnderLoad:
    async def test_requests_fail_with_503_during_the_outage_and_recover_without_an_app_restart(self, stage):
        from tests.factories import Factory

        ctx = AppContext.build(stage.settings)
        try:
            account = await Factory(ctx).account()
            headers = await Factory(ctx).headers(account, ["openid", "notifications"])
        finally:
            await ctx.close()
        pid = stage.api.pid
        load, stop = Load(), asyncio.Event()
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_SECONDS) as http:
            clients = [asyncio.create_task(drive(http, stage.api.url, headers, load, stop)) for _ in range(CLIENTS)]
            try:
                await asyncio.sleep(1)
                await asyncio.to_thread(stage.postgres.stop)
                down_since = time.monotonic()
                await asyncio.sleep(OUTAGE_SECONDS)
                ready_while_down = await http.get(stage.api.url + "/readyz")
                restarting_at = time.monotonic()
                await asyncio.to_thread(stage.postgres.start)
                up_since = time.monotonic()
                recovered_at = await _first_success(http, stage.api.url, headers, up_since)
                await asyncio.sleep(1)
            finally:
                stop.set()
                await asyncio.gather(*clients)
            ready_after = await http.get(stage.api.url + "/readyz")

        assert not load.bad, (load.bad[:5], stage.api.log_tail(6000))
        during = Counter(s for t, s, _ in load.answers if down_since + 0.5 <= t <= restarting_at)
        assert during[503] > 0 and during[200] == 0, during
        assert ready_while_down.status_code == 503
        assert recovered_at is not None, "no request succeeded after PostgreSQL came back"
        after = load.statuses(since=recovered_at + 0.5)
        assert after[200] > 0 and set(after) == {200}, after
        assert ready_after.status_code == 200
        assert stage.api.running and stage.api.pid == pid


async def _first_success(http: httpx.AsyncClient, base: str, headers: dict[str, str], since: float) -> float | None:
    deadline = since + RECOVERY_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        r = await http.get(base + "/v1/me", headers=headers)
        if r.status_code == 200:
            return time.monotonic()
        await asyncio.sleep(0.2)
    return None
