"""The ``log`` push backend: every push is written to the log and counts as sent."""

from __future__ import annotations

import logging

from notifications.push import PushMessage, PushOutcome

log = logging.getLogger("notifications.push")


class LogBackend:
    max_batch = 500

    async def send(self, messages: list[PushMessage]) -> list[PushOutcome]:
        for m in messages:
            log.debug("push to %s…(%s): %s", m.token[:12], m.platform, m.title)
        if messages:
            log.info("push: %d message(s) written to the log", len(messages))
        return [PushOutcome("sent") for _ in messages]
