"""Telling the reporter and followers that a report changed, through the notification hub.

The hub's ``notifications.api.publish`` writes inbox and delivery rows in the caller's
transaction, so nothing is sent unless the change commits. The notifier in use lives on the
context (``ctx.cache["feedback.notifier"]``) so tests and deployments can swap it.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from superapp import i18n
from superapp.i18n import LANGUAGES

if TYPE_CHECKING:
    from feedback.models import Report, TimelineEntry
    from superapp.context import AppContext

log = logging.getLogger(__name__)
CACHE_KEY = "feedback.notifier"
STATUS_CATEGORY = "feedback.status"
# The hub takes at most 10,000 recipients a call; a much-followed report is notified in parts.
RECIPIENTS_PER_CALL = 5000


class Notifier(Protocol):
    async def status_changed(
        self, session: AsyncSession, report: Report, entry: TimelineEntry, recipients: list[uuid.UUID]
    ) -> None: ...


def status_message(report: Report, entry: TimelineEntry) -> tuple[dict[str, str], dict[str, str]]:
    """Title and body in every language, from the message catalogue."""
    title, body = {}, {}
    for lang in LANGUAGES:
        status = i18n.t(f"feedback.status.{entry.to_status}", lang)
        title[lang] = i18n.t("feedback.notify.title", lang, code=report.tracking_code, status=status)
        key = "feedback.notify.body_note" if entry.note else "feedback.notify.body"
        body[lang] = i18n.t(key, lang, code=report.tracking_code, status=status, note=entry.note or "")
    return title, body


class HubNotifier:
    """Publishes through ``notifications.api.publish`` (category ``feedback.status``)."""

    async def status_changed(
        self, session: AsyncSession, report: Report, entry: TimelineEntry, recipients: list[uuid.UUID]
    ) -> None:
        if not recipients:
            return
        from notifications.api import publish

        title, body = status_message(report, entry)
        data = {
            "report_id": str(report.id),
            "tracking_code": report.tracking_code,
            "status": entry.to_status,
            "from_status": entry.from_status,
        }
        try:
            for start in range(0, len(recipients), RECIPIENTS_PER_CALL):
                await publish(
                    session,
                    recipients=recipients[start : start + RECIPIENTS_PER_CALL],
                    category=STATUS_CATEGORY,
                    title=title,
                    body=body,
                    data=data,
                    source="feedback",
                    idempotency_key=f"feedback:{entry.id}:{start // RECIPIENTS_PER_CALL}",
                )
        except ModuleNotFoundError as exc:
            if exc.name != "notifications.service":
                raise
            log.warning("notification hub not installed; report %s change not notified", report.tracking_code)


def notifier_for(ctx: AppContext) -> Notifier:
    found = ctx.cache.get(CACHE_KEY)
    if found is None:
        found = HubNotifier()
        ctx.cache[CACHE_KEY] = found
    return found
