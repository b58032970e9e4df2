"""The citizen's consent ledger: which apps hold which scopes, granted and withdrawn by them.

Grants come from the phone's native consent sheet after silent SSO answered
``consent_required``; withdrawing one revokes the app's refresh tokens for the citizen at once
and tells the app's server (``consent.revoked`` webhook) to forget them.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.deps import AccountPrincipal
from auth.models import OAuthClient
from auth.pairwise import pairwise_sub, sector_of
from miniapps.platform import apps, identity, repository, webhooks
from miniapps.platform.errors import AppSuspended, ConsentNotFound, MiniAppNotFound, ScopeNotRegistered
from miniapps.platform.policy import ordered_scopes
from miniapps.platform.schemas import ConsentApp, ConsentItem
from miniapps.platform.sso import check_identity_level, ensure_first_party_caller
from miniapps.sdk import MiniApp
from superapp.context import AppContext
from superapp.pagination import decode_cursor, encode_cursor


async def list_items(
    session: AsyncSession, builtins: list[MiniApp], account_id: uuid.UUID, *, lang: str, limit: int, cursor: str | None
) -> tuple[list[ConsentItem], str | None]:
    """Live consents in ``client_id`` order, keyset-paginated."""
    after = decode_cursor(cursor, 1)[0] if cursor else None
    consents = sorted(await identity.list_consents(session, account_id), key=lambda c: c.client_id)
    if isinstance(after, str):
        consents = [c for c in consents if c.client_id > after]
    page = consents[: limit + 1]
    shown = page[:limit]
    by_builtin = {m.client_id: apps.from_builtin(m) for m in builtins}
    by_web = await repository.by_client_ids(session, [c.client_id for c in shown if c.client_id not in by_builtin])
    items = []
    for consent in shown:
        view = by_builtin.get(consent.client_id) or (
            apps.from_web(by_web[consent.client_id]) if consent.client_id in by_web else None
        )
        if view is not None:
            app = ConsentApp(id=view.id, name=apps.pick(view.name, lang), icon_url=view.icon_url, kind=view.kind)  # type: ignore[arg-type]
        else:  # a client outside the catalogue (e.g. one created with ``superapp clients create``)
            client = await session.get(OAuthClient, consent.client_id)
            app = ConsentApp(
                id=consent.client_id, name=client.name if client else consent.client_id, icon_url=None, kind="client"
            )
        items.append(
            ConsentItem(
                app=app,
                client_id=consent.client_id,
                scopes=list(consent.scopes),
                granted_at=consent.granted_at,
                last_used_at=consent.last_used_at,
            )
        )
    next_cursor = encode_cursor([page[limit - 1].client_id]) if len(page) > limit else None
    return items, next_cursor


async def grant(
    ctx: AppContext,
    session: AsyncSession,
    builtins: list[MiniApp],
    current: AccountPrincipal,
    client_id: str,
    scopes: list[str],
    *,
    lang: str,
) -> tuple[ConsentItem, bool]:
    """Record the citizen's grant (added to what the app already holds); True if it is new."""
    await ensure_first_party_caller(ctx, session, current)
    view = await apps.resolve_client(session, builtins, client_id)
    if view is None:
        raise MiniAppNotFound()
    if view.status == "suspended":
        raise AppSuspended()
    if not view.is_published:
        raise MiniAppNotFound()
    beyond = [s for s in scopes if s not in view.scopes]
    if beyond:
        raise ScopeNotRegistered(params={"scopes": " ".join(beyond)}, scopes=beyond)
    check_identity_level(current, scopes)
    existing = await identity.get_consent(session, current.account.id, client_id)
    held = set(existing.scopes) if existing is not None else set()
    consent = await identity.grant_consent(session, current.account.id, client_id, ordered_scopes(held | set(scopes)))
    app = ConsentApp(id=view.id, name=apps.pick(view.name, lang), icon_url=view.icon_url, kind=view.kind)  # type: ignore[arg-type]
    item = ConsentItem(
        app=app,
        client_id=client_id,
        scopes=list(consent.scopes),
        granted_at=consent.granted_at,
        last_used_at=consent.last_used_at,
    )
    return item, existing is None


async def withdraw(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID, client_id: str) -> None:
    """Withdraw the consent, revoke the app's tokens for this citizen, notify the app's server."""
    if not await identity.revoke_consent(ctx, session, account_id, client_id):
        raise ConsentNotFound()
    view = await apps.resolve_client(session, [], client_id)
    if view is not None and view.web is not None:
        client = await session.get(OAuthClient, client_id)
        if client is not None:
            sub = pairwise_sub(ctx.settings.secrets["pairwise_secret"], sector_of(client), account_id)
            await webhooks.enqueue_event(session, view.web, "consent.revoked", {"sub": sub})
