"""Signed webhooks to mini-app servers, carried out through the outbox with retries.

Events: ``consent.revoked`` (the citizen withdrew the app's access) and ``account.deleted``
(the citizen erased their city account). Both name the citizen by the pairwise ``sub`` the app
knows, so its server can forget them.

Signing follows the Standard Webhooks specification (https://www.standardwebhooks.com/):
headers ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``
(``v1,`` + base64 HMAC-SHA256 over ``id.timestamp.body``, keyed with the app's ``whsec_``
secret). Any Standard Webhooks library verifies it; so do ten lines of HMAC.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession
from standardwebhooks.webhooks import Webhook

from miniapps.platform import repository
from miniapps.platform.models import WebMiniApp
from miniapps.platform.secrets import unseal
from superapp import outbox
from superapp.context import AppContext
from superapp.db import utcnow
from superapp.ids import new_id

log = logging.getLogger(__name__)
JOB_KIND = "miniapps.webhook"
EVENTS = ("consent.revoked", "account.deleted")
TIMEOUT_SECONDS = 10.0
MAX_ATTEMPTS = 12  # backoff doubles up to 10 min: about an hour and a half in all
USER_AGENT = "HanoiSuperApp-Webhooks/1"


class WebhookRejected(Exception):
    """The mini-app's server did not answer 2xx (retried)."""


async def enqueue_event(session: AsyncSession, app: WebMiniApp, event_type: str, data: dict[str, Any]) -> str | None:
    """Queue ``event_type`` for ``app`` in the caller's transaction; None if it has no webhook."""
    if event_type not in EVENTS:
        raise ValueError(event_type)
    if not app.webhook_url:
        return None
    event_id = f"evt_{new_id().hex}"
    event = {
        "id": event_id,
        "type": event_type,
        "created_at": utcnow().isoformat(),
        "data": {"client_id": app.client_id, **data},
    }
    await outbox.enqueue(
        session,
        JOB_KIND,
        {"app_id": str(app.id), "event": event},
        dedupe_key=f"{JOB_KIND}:{event_id}",
        max_attempts=MAX_ATTEMPTS,
    )
    return event_id


def signed_headers(secret: str, event_id: str, body: str, at: datetime | None = None) -> dict[str, str]:
    at = at or datetime.now(UTC)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


@outbox.handler(JOB_KIND)
async def deliver(ctx: AppContext, payload: dict[str, Any]) -> None:
    """POST one event; 2xx is success, 410 Gone stops retrying, anything else is retried."""
    event = payload.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise outbox.PermanentJobError("malformed webhook job")
    app_id = repository.parse_uuid(payload.get("app_id", ""))
    async with ctx.sessionmaker() as session:
        app = await repository.get(session, app_id) if app_id else None
    if app is None or not app.webhook_url:
        raise outbox.PermanentJobError("the mini-app or its webhook URL is gone")
    secret = unseal(ctx.settings.secrets["secret_key"], app.webhook_secret_encrypted or "")
    if not secret:
        raise outbox.PermanentJobError("the webhook secret cannot be read")
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http:
        response = await http.post(
            app.webhook_url, content=body.encode(), headers=signed_headers(secret, event["id"], body)
        )
    if response.status_code == 410:
        raise outbox.PermanentJobError(f"{app.webhook_url} answered 410 Gone")
    if not 200 <= response.status_code < 300:
        raise WebhookRejected(f"{app.webhook_url} answered {response.status_code}")
    log.info("webhook %s (%s) delivered to mini-app %s", event["id"], event["type"], app.id)
