"""Telling developers what happened to their app (review outcome, suspension) in their inbox."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.platform.apps import pick
from miniapps.platform.models import WebMiniApp
from miniapps.sdk import NotificationCategory
from superapp import i18n

CATEGORY = NotificationCategory(
    code="miniapps.review",
    name={"vi": "Duyệt ứng dụng nhỏ", "en": "Mini-app review"},
    critical=True,  # a developer must learn that their app was rejected or suspended
)
OUTCOMES = ("published", "rejected", "suspended")


async def tell_owner(session: AsyncSession, app: WebMiniApp, outcome: str) -> None:
    """Notify the app's owner of ``outcome`` (in both languages), in the caller's transaction."""
    if outcome not in OUTCOMES:
        raise ValueError(outcome)
    from notifications.api import publish

    title, body = {}, {}
    for lang in i18n.LANGUAGES:
        name = pick(app.name, lang)
        title[lang] = i18n.t(f"miniapps.notice.{outcome}.title", lang, name=name)
        body[lang] = i18n.t(f"miniapps.notice.{outcome}.body", lang, name=name, reason=app.review_reason or "—")
    await publish(
        session,
        recipients=[app.owner_id],
        category=CATEGORY.code,
        title=title,
        body=body,
        data={"miniapp_id": str(app.id), "status": outcome},
        source="miniapps",
        idempotency_key=f"miniapp:{app.id}:{outcome}:{app.updated_at.isoformat()}",
    )
