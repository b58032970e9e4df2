"""Push backends: ``log`` (default, writes to the log) and ``fcm`` (Firebase Cloud Messaging).

A backend takes a batch of messages (at most ``max_batch``) and answers one outcome per
message, in order:

- ``sent``: accepted by the push service;
- ``invalid``: the token is dead (unregistered / not a valid token): the device is forgotten;
- ``retry``: a transient failure (quota, 5xx, network): the job is retried with backoff;
- ``failed``: refused for good for another reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from superapp.context import AppContext

Status = Literal["sent", "invalid", "retry", "failed"]
CACHE_KEY = "notifications.push_backend"


@dataclass(frozen=True)
class PushMessage:
    token: str
    platform: str
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    critical: bool = False


@dataclass(frozen=True)
class PushOutcome:
    status: Status
    error: str | None = None


class PushBackend(Protocol):
    max_batch: int

    async def send(self, messages: list[PushMessage]) -> list[PushOutcome]: ...


def get_backend(ctx: AppContext) -> PushBackend:
    """The backend named by ``SUPERAPP_PUSH_BACKEND``, built once per context."""
    backend = ctx.cache.get(CACHE_KEY)
    if backend is None:
        if ctx.settings.push_backend == "fcm":
            from notifications.push.fcm import FcmBackend

            backend = FcmBackend.from_settings(ctx.settings)
        else:
            from notifications.push.log import LogBackend

            backend = LogBackend()
        ctx.cache[CACHE_KEY] = backend
    return backend
