"""Redis down: sign-ins fail closed, token checks fail closed, nothing crashes, and the service
comes back by itself when Redis does.

An API process runs against a Redis server of this module's own, which the tests stop and
start; PostgreSQL is the shared server (a database of these tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from superapp.context import AppContext
from superapp.errors import PROBLEM_JSON
from tests.reliability.conftest import process_settings, settings_env
from tests.reliability.processes import ApiProcess, process_env
from tests.reliability.servers import ThrowawayRedis, Unavailable
from tests.reliability.sign_in import native_code, pkce_pair

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
TIMEOUT = httpx.Timeout(15)


@dataclass
class RedisStage:
    redis: ThrowawayRedis
    api: ApiProcess
    settings: object


@pytest.fixture(scope="module")
def stage(own_database, reliability_dir) -> Iterator[RedisStage]:
    try:
        redis = ThrowawayRedis()
        redis.start()
    except Unavailable as exc:
        pytest.skip(str(exc))
    settings = process_settings(reliability_dir, own_database, redis.url)
    logs = reliability_dir / "logs"
    logs.mkdir(exist_ok=True)
    api = ApiProcess("api-redis-faults", process_env(settings_env(settings)), logs)
    try:
        api.start()
        api.wait_ready()
        yield RedisStage(redis, api, settings)
    finally:
        api.stop()
        redis.stop()


@pytest.fixture
async def citizen(stage):
    """An active citizen, the mobile client, and a valid access token (made while Redis is up)."""
    from tests.factories import Factory

    ctx = AppContext.build(stage.settings)
    try:
        factory = Factory(ctx)
        await factory.mobile_client()
        account = await factory.account()
        headers = await factory.headers(account, ["openid"])
    finally:
        await ctx.close()
    return account, headers


@pytest.fixture
def redis_down(stage) -> Iterator[None]:
    stage.redis.stop()
    try:
        yield
    finally:
        stage.redis.start()


def assert_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    assert r.json()["code"] == "service_unavailable"
    assert "retry-after" in r.headers


class TestSignInWithoutRedis:
    async def test_a_right_password_is_refused_with_503_not_let_through_unthrottled(self, stage, citizen, redis_down):
        account, _ = citizen
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            r = await native_code(http, stage.api.url, account.phone, pkce_pair()[1])
        assert_unavailable(r)

    async def test_a_wrong_password_is_refused_with_503(self, stage, citizen, redis_down):
        account, _ = citizen
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            r = await native_code(http, stage.api.url, account.phone, pkce_pair()[1], password="wrong-password-1")
        assert_unavailable(r)


class TestTokensWithoutRedis:
    async def test_a_valid_token_is_refused_with_503_while_revocations_cannot_be_checked(
        self, stage, citizen, redis_down
    ):
        _, headers = citizen
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            r = await http.get(stage.api.url + "/v1/me", headers=headers)
        assert_unavailable(r)


class TestWhatKeepsWorkingWithoutRedis:
    async def test_public_catalogue_liveness_and_readiness(self, stage, redis_down):
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            products = await http.get(stage.api.url + "/v1/feedback/categories")
            health = await http.get(stage.api.url + "/healthz")
            ready = await http.get(stage.api.url + "/readyz")
        assert products.status_code == 200
        assert health.status_code == 200
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["redis"].startswith("error")


class TestRedisComesBack:
    async def test_sign_in_and_tokens_work_again_without_restarting_the_app(self, stage, citizen):
        account, headers = citizen
        pid = stage.api.pid
        stage.redis.stop()
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            assert_unavailable(await http.get(stage.api.url + "/v1/me", headers=headers))
            stage.redis.start()
            me = await http.get(stage.api.url + "/v1/me", headers=headers)
            signed_in = await native_code(http, stage.api.url, account.phone, pkce_pair()[1])
        assert me.status_code == 200, me.text
        assert signed_in.status_code == 200, signed_in.text
        assert stage.api.running and stage.api.pid == pid
