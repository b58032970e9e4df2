"""Property-based fuzzing of the whole OpenAPI document with schemathesis.

Every operation is called with generated input three ways: without credentials, with a level-2
citizen token holding every citizen scope, and with an admin token. Each answer must not be a
5xx, must carry the documented content type, and must match the documented schema. The run is
derandomized (same cases every run) and bounded per operation so that CI stays fast.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from superapp.settings import Settings
from tests.security.fuzz_app import fuzz_settings, prepare_tokens

CHECKS = [checks.not_a_server_error, checks.content_type_conformance, checks.response_schema_conformance]
# Erasing the fuzzing account would turn every later authenticated case into a bare 401.
KEEP_ACCOUNT = "DELETE /v1/me"
# An event stream never ends by itself (tests/notifications/test_stream.py covers it).
ENDLESS = "/v1/notifications/stream"
FUZZ = settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


class DeferredApp:
    """The ASGI app schemathesis calls; the fuzzed app is plugged in by the ``tokens`` fixture,
    since its database only exists once the session fixtures have run."""

    def __init__(self) -> None:
        self.app = None

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


def _load_schema(*, coverage_phase: bool) -> schemathesis.schemas.BaseSchema:
    """The app's document; ``coverage_phase`` adds schemathesis' deterministic boundary cases
    (every documented limit and type, just inside and just outside) to the random ones."""
    from superapp.app import create_app

    document = create_app(Settings(environment="test"), run_background_workers=False).openapi()
    loaded = schemathesis.openapi.from_dict(document)
    loaded.config.phases.coverage.enabled = coverage_phase
    loaded.app = DEFERRED
    return loaded.exclude(path=ENDLESS)


DEFERRED = DeferredApp()
# Boundary cases as the citizen (the caller who reaches the most code); random cases for all.
full_schema = _load_schema(coverage_phase=True)
schema = _load_schema(coverage_phase=False)


@pytest.fixture(scope="module")
def tokens(tmp_path_factory, pg_database_url, sqlite_template):
    from superapp.app import create_app

    settings_ = fuzz_settings(tmp_path_factory.mktemp("fuzz"), pg_database_url, sqlite_template)
    prepared = prepare_tokens(settings_)
    DEFERRED.app = create_app(settings_, run_background_workers=False)
    return prepared


def _call(case, token: str | None) -> None:
    if token is not None and f"{case.method.upper()} {case.path}" == KEEP_ACCOUNT:
        return
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_fuzz_without_credentials(case, tokens):
    _call(case, None)


@pytest.mark.slow
@full_schema.parametrize()
@FUZZ
def test_fuzz_as_citizen(case, tokens):
    _call(case, tokens.citizen)


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_fuzz_as_admin(case, tokens):
    _call(case, tokens.admin)
