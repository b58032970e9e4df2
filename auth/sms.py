"""Sending text messages.

Every backend implements :class:`SmsSender`. The default ``outbox`` backend (contract:
``SUPERAPP_SMS_BACKEND=outbox``) appends each text as one JSON line
``{"to", "body", "code", "sent_at"}`` to ``SUPERAPP_DATA_DIR/sms-outbox.jsonl``: a local
stand-in for a gateway that developers and tests read. A real gateway (e.g. a carrier's HTTP
API) is one more class with the same ``send`` coroutine, chosen in :func:`sender_for`.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import anyio

from superapp.db import utcnow

if TYPE_CHECKING:
    from superapp.context import AppContext
    from superapp.settings import Settings

OUTBOX_FILE = "sms-outbox.jsonl"
SENDER_CACHE_KEY = "sms_sender"


class SmsSender(Protocol):
    async def send(self, *, to: str, body: str, code: str | None = None) -> None:
        """Deliver ``body`` to the E.164 number ``to``; ``code`` is the one-time code it carries."""


class OutboxSmsSender:
    """Appends each text to a JSON-lines file; safe with concurrent writers (``flock`` + ``O_APPEND``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, *, to: str, body: str, code: str | None = None) -> None:
        line = json.dumps({"to": to, "body": body, "code": code, "sent_at": utcnow().isoformat()}, ensure_ascii=False)
        await anyio.to_thread.run_sync(self._append, (line + "\n").encode("utf-8"))

    def _append(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def outbox_path(settings: Settings) -> Path:
    return settings.data_dir / OUTBOX_FILE


def sender_for(settings: Settings) -> SmsSender:
    """The sender named by ``SUPERAPP_SMS_BACKEND``."""
    if settings.sms_backend == "outbox":
        return OutboxSmsSender(outbox_path(settings))
    raise ValueError(f"unknown SMS backend {settings.sms_backend!r}")  # pragma: no cover - settings refuse it


def sms_sender(ctx: AppContext) -> SmsSender:
    """The context's sender (built once from the settings; tests may place another in ``ctx.cache``)."""
    sender = ctx.cache.get(SENDER_CACHE_KEY)
    if sender is None:
        sender = ctx.cache[SENDER_CACHE_KEY] = sender_for(ctx.settings)
    return sender
