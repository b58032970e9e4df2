"""Demo data of the platform (``superapp seed demo``), idempotent: one published web mini-app
owned by the demo developer, so the catalogue, silent SSO and the consent sheet can be tried."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from miniapps.platform import developer, repository
from miniapps.platform.schemas import MiniAppCreate
from superapp.context import AppContext

DEMO_APP = {
    "name": {"vi": "Thư viện Hà Nội (demo)", "en": "Hanoi Library (demo)"},
    "description": {
        "vi": "Mượn sách trực tuyến bằng tài khoản thành phố.",
        "en": "Borrow books with your city account.",
    },
    "home_url": "https://library.example.vn/app",
    "redirect_uris": ["https://library.example.vn/callback", "http://127.0.0.1:8765/callback"],
    "scopes": ["openid", "profile", "offline_access", "notifications"],
    "icon_url": "https://library.example.vn/icon.png",
    "category": "education",
}


async def _demo_developer(session: AsyncSession) -> Account | None:
    try:
        from auth.seed import DEMO_LOGINS
    except ImportError:
        return None
    phones = [d.phone for d in DEMO_LOGINS if "developer" in d.roles]
    if not phones:
        return None
    return (await session.exec(select(Account).where(Account.phone == phones[0]))).first()


async def seed(ctx: AppContext, session: AsyncSession) -> list[str]:
    owner = await _demo_developer(session)
    if owner is None:
        return []
    existing = [a for a in await repository.page(session, limit=100, owner_id=owner.id) if a.category == "education"]
    if existing:
        return [f"Mini-app (web, {existing[0].status}): {existing[0].id} client {existing[0].client_id}"]
    actor = developer.Actor(id=owner.id, request_id="seed")
    done = await developer.register(ctx, session, actor, MiniAppCreate(**DEMO_APP))
    await developer.submit(session, actor, done.app)
    from miniapps.platform.review import review

    await review(ctx, session, actor, done.app, "approve", "demo data")
    return [
        f"Mini-app (web, published): {done.app.id} client {done.client.client_id} "
        f"secret {done.client_secret} (shown once)"
    ]
