"""Settings of the health record, read from the environment with the ``SUPERAPP_HEALTH_`` prefix.

``SUPERAPP_HEALTH_FHIR_BASE_URL`` switches the record source from the local store to a
hospital's FHIR R4 server read over HTTP (see :mod:`miniapps.health.sources.remote`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from superapp.context import AppContext

CACHE_KEY = "health.settings"


class HealthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPERAPP_HEALTH_", extra="ignore")

    # Base URL of a FHIR R4 server to read instead of the local store (e.g. https://fhir.bvx.vn/r4).
    fhir_base_url: str | None = None
    fhir_timeout_seconds: float = 10.0
    # Search page sizes: ``_count`` above ``max_count`` is refused with a 400 OperationOutcome.
    default_count: int = 20
    max_count: int = 100
    # Doctor shares.
    share_max_seconds: int = 86_400
    share_min_seconds: int = 60
    share_create_limit: str = "10/hour"
    share_use_limit: str = "60/minute"
    share_guess_limit: str = "20/minute"
    share_bundle_limit: int = 500


def health_settings(ctx: AppContext) -> HealthSettings:
    """The settings of this app context (read once from the environment, replaceable in tests)."""
    found = ctx.cache.get(CACHE_KEY)
    if found is None:
        found = HealthSettings()
        ctx.cache[CACHE_KEY] = found
    return found


def configure(ctx: AppContext, settings: HealthSettings) -> None:
    """Use ``settings`` for this app context (tests, embedding)."""
    ctx.cache[CACHE_KEY] = settings
