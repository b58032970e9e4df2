"""``GET /v1/me/sessions`` and ``DELETE /v1/me/sessions/{id}``: the citizen's signed-in devices.

Items are login sessions (``browser`` or ``app``) with the clients holding grants in them, and
grants made outside any session (``grant``). Deleting one ends it at once: rows revoked,
``sid``/``gid`` in the revocation index, back-channel logout notices queued. Only the city's
own (first-party) apps may list or end sessions.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from sqlalchemy import and_, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.deps import AccountPrincipal, CurrentAccount, cached_client
from auth.models import OAuthClient
from auth.oidc.clock import aware
from auth.oidc.errors import FirstPartyRequired, SessionNotFound
from auth.oidc.models import Grant, LoginSession
from auth.oidc.oauth_http import commit_before_response
from auth.oidc.revoke import revoke_grants, revoke_session
from superapp.context import CtxDep
from superapp.db import SessionDep, utcnow
from superapp.pagination import Page, PageDep, decode_cursor, paginate

router = APIRouter(prefix="/v1/me", tags=["accounts"])


async def first_party_account(current: CurrentAccount, ctx: CtxDep, session: SessionDep) -> AccountPrincipal:
    client = await cached_client(ctx, session, current.principal.client_id)
    if client is None or not client.first_party:
        raise FirstPartyRequired()
    return current


Owner = Annotated[AccountPrincipal, Depends(first_party_account)]


class ClientRef(BaseModel):
    client_id: str
    name: str


class SignedInDevice(BaseModel):
    id: uuid.UUID
    kind: Literal["browser", "app", "grant"]
    created_at: datetime
    last_active_at: datetime | None
    user_agent: str | None = None
    acr: str
    current: bool
    clients: list[ClientRef]


def _keyset(model, cursor: list | None):
    if not cursor:
        return True
    at, ident = datetime.fromisoformat(cursor[0]), uuid.UUID(cursor[1])
    return or_(model.created_at < at, and_(model.created_at == at, model.id < ident))


async def _client_names(session: AsyncSession, client_ids: set[str]) -> dict[str, str]:
    if not client_ids:
        return {}
    rows = (await session.exec(select(OAuthClient.client_id, OAuthClient.name).where(OAuthClient.client_id.in_(client_ids)))).all()
    return dict(rows)


@router.get("/sessions", summary="Signed-in devices of the citizen")
async def list_sessions(owner: Owner, session: SessionDep, page: PageDep) -> Page[SignedInDevice]:
    cursor = decode_cursor(page.cursor, 2) if page.cursor else None
    if cursor:
        try:
            datetime.fromisoformat(cursor[0]), uuid.UUID(cursor[1])
        except (TypeError, ValueError):
            from superapp.pagination import InvalidCursor

            raise InvalidCursor() from None
    now = utcnow()
    logins = (
        await session.exec(
            select(LoginSession)
            .where(LoginSession.account_id == owner.id, LoginSession.revoked_at.is_(None),
                   LoginSession.expires_at > now, _keyset(LoginSession, cursor))
            .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
            .limit(page.limit + 1)
        )
    ).all()
    loose = (
        await session.exec(
            select(Grant)
            .where(Grant.account_id == owner.id, Grant.sid.is_(None), Grant.revoked_at.is_(None),
                   Grant.expires_at > now, _keyset(Grant, cursor))
            .order_by(Grant.created_at.desc(), Grant.id.desc())
            .limit(page.limit + 1)
        )
    ).all()
    rows = sorted([*logins, *loose], key=lambda r: (aware(r.created_at), r.id), reverse=True)[: page.limit + 1]
    items, next_cursor = paginate(rows, page.limit, lambda r: [aware(r.created_at).isoformat(), str(r.id)])
    sids = [str(r.id) for r in items if isinstance(r, LoginSession)]
    in_session: dict[str, set[str]] = {}
    if sids:
        pairs = (await session.exec(select(Grant.sid, Grant.client_id).where(Grant.sid.in_(sids), Grant.revoked_at.is_(None)))).all()
        for sid, client_id in pairs:
            in_session.setdefault(sid, set()).add(client_id)
    names = await _client_names(session, {c for cs in in_session.values() for c in cs} | {g.client_id for g in items if isinstance(g, Grant)})
    out = []
    for row in items:
        if isinstance(row, LoginSession):
            client_ids = sorted(in_session.get(str(row.id), set()))
            out.append(SignedInDevice(
                id=row.id, kind=row.kind, created_at=aware(row.created_at), last_active_at=aware(row.last_seen_at),
                user_agent=row.user_agent, acr=row.acr, current=owner.principal.sid == str(row.id),
                clients=[ClientRef(client_id=c, name=names.get(c, c)) for c in client_ids],
            ))
        else:
            out.append(SignedInDevice(
                id=row.id, kind="grant", created_at=aware(row.created_at), last_active_at=aware(row.last_used_at),
                acr=row.acr, current=owner.principal.gid == str(row.id),
                clients=[ClientRef(client_id=row.client_id, name=names.get(row.client_id, row.client_id))],
            ))
    return Page[SignedInDevice](items=out, next_cursor=next_cursor)


@router.delete("/sessions/{session_id}", status_code=204, summary="Sign a device out")
async def delete_session(session_id: uuid.UUID, owner: Owner, ctx: CtxDep, session: SessionDep) -> Response:
    login = await session.get(LoginSession, session_id)
    if login is not None and login.account_id == owner.id and login.revoked_at is None:
        await revoke_session(ctx, session, login)
        await commit_before_response(session)
        return Response(status_code=204)
    grant = await session.get(Grant, session_id)
    if grant is not None and grant.account_id == owner.id and grant.revoked_at is None:
        await revoke_grants(ctx, session, [grant])
        await commit_before_response(session)
        return Response(status_code=204)
    raise SessionNotFound()
