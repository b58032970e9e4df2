"""Settings, read from the environment with the ``SUPERAPP_`` prefix."""

from __future__ import annotations

import base64
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_FILE = "dev-secrets.json"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPERAPP_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./.superapp")
    database_url: str | None = None
    # PostgreSQL connections kept open per process, and how many more a burst may open (closed
    # again when returned): a pool smaller than the usual concurrency reconnects per request.
    database_pool_size: int = 30
    database_max_overflow: int = 10
    # A pooled PostgreSQL connection idle longer than this is pinged before use (a dead one is
    # replaced); one in steady use is not, saving the ping's round trips on every request.
    database_ping_idle_seconds: float = 1.0
    # ``gc.freeze()`` once the app has started (long-lived objects leave the collector's scans).
    # Off in processes that build many apps (the test suite), where it would keep garbage.
    gc_freeze_after_startup: bool = True
    redis_url: str | None = None
    # Every Redis key is built through ``superapp.redis.key`` and starts with this prefix.
    redis_prefix: str = "sa:"
    host: str = "127.0.0.1"
    port: int = 8000
    issuer: str | None = None

    push_backend: Literal["log", "fcm"] = "log"
    fcm_credentials_file: str | None = None
    fcm_project_id: str | None = None
    fcm_endpoint: str | None = None  # override of the FCM API base, for a local fake server

    sms_backend: Literal["outbox"] = "outbox"

    # Secrets. Outside development they must be given; in development they are generated on
    # first start and kept in the data directory (never in the repository).
    secret_key: str | None = Field(default=None, description="Encrypts signing keys; signs cookies.")
    pairwise_secret: str | None = None

    max_request_bytes: int = 60 * 1024 * 1024
    max_json_bytes: int = 1 * 1024 * 1024
    default_language: Literal["vi", "en"] = "vi"

    otp_ttl_seconds: int = 300
    otp_max_attempts: int = 5
    otp_resend_seconds: int = 60
    access_token_ttl_seconds: int = 900
    id_token_ttl_seconds: int = 900
    refresh_token_idle_seconds: int = 30 * 24 * 3600
    refresh_token_absolute_seconds: int = 180 * 24 * 3600
    authorization_code_ttl_seconds: int = 60

    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 1

    workers_enabled: bool = True
    worker_poll_seconds: float = 1.0
    # How long a worker holds a claimed outbox job before another worker may take it over
    # (a worker that died mid-job is detected this way).
    outbox_lease_seconds: int = 60
    log_level: str = "INFO"
    log_json: bool = True

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+asyncpg://" + url.split("://", 1)[1]
            elif url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
                url = "sqlite+aiosqlite://" + url.split("://", 1)[1]
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'superapp.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def resolved_issuer(self) -> str:
        return (self.issuer or f"http://{self.host}:{self.port}").rstrip("/")

    @cached_property
    def secrets(self) -> dict[str, str]:
        """Secret material: from the environment, else (development/test only) the data dir."""
        given = {"secret_key": self.secret_key, "pairwise_secret": self.pairwise_secret}
        if all(given.values()):
            return given  # type: ignore[return-value]
        if self.environment == "production":
            missing = [k for k, v in given.items() if not v]
            raise RuntimeError(f"SUPERAPP_{missing[0].upper()} must be set in production")
        return {k: v or _dev_secret(self.data_dir, k) for k, v in given.items()}

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


def _dev_secret(data_dir: Path, name: str) -> str:
    import json

    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DEV_SECRET_FILE
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text())
    if name not in stored:
        stored[name] = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(stored, fh)
        tmp.replace(path)
    return stored[name]
