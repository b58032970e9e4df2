"""The report life cycle: legal transitions, the timeline, deadlines and notifications.

::

    submitted → approved → assigned → in_progress → resolved → closed
    exits: rejected (from submitted), hidden (from any non-exit), duplicate (open reports)

``assigned → assigned`` is a reassignment to another agency. Every change writes a timeline
entry and notifies the reporter and followers (never the person who made the change).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from feedback import repository as repo
from feedback.config import feedback_settings
from feedback.errors import IllegalTransition
from feedback.models import OPEN_STATUSES, PUBLIC_STATUSES, Report, TimelineEntry
from feedback.notifier import notifier_for
from feedback.workhours import WorkingCalendar
from superapp.db import utcnow

if TYPE_CHECKING:
    from superapp.context import AppContext

TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"approved", "rejected", "hidden", "duplicate"}),
    "approved": frozenset({"assigned", "hidden", "duplicate"}),
    "assigned": frozenset({"assigned", "in_progress", "resolved", "hidden", "duplicate"}),
    "in_progress": frozenset({"assigned", "resolved", "hidden", "duplicate"}),
    "resolved": frozenset({"closed", "hidden"}),
    "closed": frozenset({"hidden"}),
    "rejected": frozenset(),
    "hidden": frozenset(),
    "duplicate": frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an account acting in a role, the system, or an Open311 client."""

    role: str
    account_id: uuid.UUID | None = None
    label: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(role="system")


def calendar(ctx: AppContext) -> WorkingCalendar:
    found = ctx.cache.get("feedback.calendar")
    if found is None:
        s = feedback_settings(ctx)
        found = WorkingCalendar(s.timezone, extra_holidays=s.extra_holidays, extra_workdays=s.extra_workdays)
        ctx.cache["feedback.calendar"] = found
    return found


def deadlines(ctx: AppContext, received_at: datetime, severity: str) -> tuple[datetime, datetime]:
    """``(acknowledge_by, handle_by)``: received within 8 working hours (or the handling deadline
    if shorter), handled within the severity's working hours."""
    s = feedback_settings(ctx)
    cal = calendar(ctx)
    handle_hours = s.deadline_hours(severity)
    return cal.add_working_hours(received_at, min(s.ack_hours, handle_hours)), cal.add_working_hours(
        received_at, handle_hours
    )


def is_overdue(report: Report, now: datetime) -> bool:
    if report.status not in OPEN_STATUSES:
        return False
    due = repo.aware(report.due_at)
    return due is not None and now > due


def is_ack_overdue(report: Report, now: datetime) -> bool:
    due = repo.aware(report.ack_due_at)
    return report.status == "submitted" and due is not None and now > due


def check_transition(report: Report, to_status: str) -> None:
    if to_status not in TRANSITIONS.get(report.status, frozenset()):
        raise IllegalTransition(
            params={"from_status": report.status, "to_status": to_status},
            from_status=report.status,
            to_status=to_status,
        )


async def record(
    ctx: AppContext,
    session: AsyncSession,
    report: Report,
    *,
    actor: Actor,
    action: str,
    to_status: str,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
    notify: bool = True,
) -> TimelineEntry:
    """Apply ``to_status`` (already checked), write the timeline entry and notify; flush only."""
    now = utcnow()
    from_status = report.status if action != "submit" else None
    report.status = to_status
    report.is_public = to_status in PUBLIC_STATUSES
    report.updated_at = now
    if from_status == "submitted" and report.acknowledged_at is None:
        report.acknowledged_at = now
    if to_status == "resolved":
        report.resolved_at = now
    elif to_status == "closed":
        report.closed_at = now
    if note is not None:
        report.status_note = note
    entry = TimelineEntry(
        report_id=report.id,
        at=now,
        actor_id=actor.account_id,
        actor_role=actor.role,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        agency_code=report.agency_code,
        detail=detail or {},
    )
    session.add(entry)
    await session.flush()
    if notify:
        recipients = await recipients_of(session, report)
        recipients = [r for r in recipients if r != actor.account_id]
        await notifier_for(ctx).status_changed(session, report, entry, recipients)
    return entry


async def recipients_of(session: AsyncSession, report: Report) -> list[uuid.UUID]:
    people = [report.reporter_id] if report.reporter_id else []
    for account_id in await repo.follower_ids(session, report.id):
        if account_id not in people:
            people.append(account_id)
    return people


async def transition(
    ctx: AppContext,
    session: AsyncSession,
    report: Report,
    *,
    actor: Actor,
    action: str,
    to_status: str,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> TimelineEntry:
    check_transition(report, to_status)
    return await record(ctx, session, report, actor=actor, action=action, to_status=to_status, note=note, detail=detail)
