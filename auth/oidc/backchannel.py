"""OpenID Connect Back-Channel Logout 1.0.

When a citizen's session or grant ends, every client holding a grant in it that registered a
``backchannel_logout_uri`` gets a signed Logout Token (§2.4) POSTed as
``application/x-www-form-urlencoded`` ``logout_token=…`` (§2.5). Delivery is an outbox job
written in the same transaction as the revocation and retried with backoff by the workers.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient
from auth.oidc.clock import epoch
from auth.tokens import sign
from superapp import outbox
from superapp.context import AppContext

log = logging.getLogger(__name__)
JOB_KIND = "oidc.backchannel_logout"
EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_TYPE = "logout+jwt"
LOGOUT_TOKEN_SECONDS = 120
TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class LogoutNotice:
    client_id: str
    sub: str
    sid: str | None
    key: str  # what ended: a sid or a gid (dedupes the job)


async def enqueue_logouts(session: AsyncSession, notices: list[LogoutNotice]) -> int:
    """Queue one delivery per notice whose client has a back-channel logout URI."""
    if not notices:
        return 0
    client_ids = {n.client_id for n in notices}
    rows = (
        await session.exec(
            select(OAuthClient.client_id, OAuthClient.backchannel_logout_uri).where(
                OAuthClient.client_id.in_(client_ids)
            )
        )
    ).all()
    uris = {cid: uri for cid, uri in rows if uri}
    queued = 0
    for n in notices:
        if n.client_id not in uris:
            continue
        job = await outbox.enqueue(
            session,
            JOB_KIND,
            {"client_id": n.client_id, "sub": n.sub, "sid": n.sid},
            dedupe_key=f"bcl:{n.client_id}:{n.key}",
            max_attempts=8,
        )
        queued += job is not None
    return queued


async def logout_token(ctx: AppContext, *, client_id: str, sub: str, sid: str | None) -> str:
    """A Logout Token (§2.4): ``iss, aud, iat, exp, jti, events, sub, sid``; never a ``nonce``."""
    now = epoch()
    claims = {
        "iss": ctx.settings.resolved_issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_SECONDS,
        "jti": uuid.uuid4().hex,
        "events": {EVENT: {}},
        "sub": sub,
    }
    if sid:
        claims["sid"] = sid
    return await sign(ctx, claims, typ=LOGOUT_TOKEN_TYPE)


@outbox.handler(JOB_KIND)
async def deliver_logout(ctx: AppContext, payload: dict) -> None:
    """POST the logout token; 2xx is done, 4xx is permanent (§2.8), anything else is retried."""
    async with ctx.sessionmaker() as session:
        client = await session.get(OAuthClient, payload["client_id"])
    if client is None or not client.backchannel_logout_uri:
        return
    token = await logout_token(ctx, client_id=client.client_id, sub=payload["sub"], sid=payload.get("sid"))
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http:
        response = await http.post(
            client.backchannel_logout_uri,
            data={"logout_token": token},
            headers={"Cache-Control": "no-store"},
        )
    if 200 <= response.status_code < 300:
        return
    if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
        raise outbox.PermanentJobError(f"{client.client_id}: HTTP {response.status_code}")
    raise RuntimeError(f"{client.client_id}: HTTP {response.status_code}")
