"""Moderators' actions: approve (and assign), reject, hide, merge duplicates, re-route; bans.

Every action is written to the audit log with the moderator as actor.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from feedback import repository as repo
from feedback.errors import AgencyNotFound, BanNotFound, IllegalTransition, InvalidField, InvalidMerge, ReportNotFound
from feedback.models import SEVERITIES, Ban, Report
from feedback.workflow import Actor, check_transition, deadlines, record, transition
from superapp import audit
from superapp.db import utcnow

if TYPE_CHECKING:
    from superapp.context import AppContext

MERGE_TARGET_EXCLUDED = frozenset({"rejected", "hidden", "duplicate"})


async def _agency_or_fail(session: AsyncSession, code: str) -> str:
    agency = await repo.agency(session, code)
    if agency is None or not agency.active:
        raise AgencyNotFound(agency_code=code)
    return agency.code


def _require(value: str | None, name: str) -> str:
    if not value or not value.strip():
        raise InvalidField(field=name)
    return value.strip()


async def _approve(
    ctx: AppContext,
    session: AsyncSession,
    report: Report,
    actor: Actor,
    *,
    reason: str | None,
    agency_code: str | None,
    severity: str | None,
) -> None:
    check_transition(report, "approved")
    if severity is not None and severity != report.severity:
        if severity not in SEVERITIES:
            raise InvalidField(field="severity")
        report.severity = severity
        report.ack_due_at, report.due_at = deadlines(ctx, repo.aware(report.created_at), severity)
    if agency_code:
        report.agency_code = await _agency_or_fail(session, agency_code)
    await record(ctx, session, report, actor=actor, action="approve", to_status="approved", note=reason)
    if report.agency_code:
        await record(ctx, session, report, actor=actor, action="assign", to_status="assigned")


async def _merge(
    ctx: AppContext,
    session: AsyncSession,
    report: Report,
    actor: Actor,
    *,
    duplicate_of: str | None,
    reason: str | None,
) -> Report:
    target = await repo.report(session, duplicate_of) if duplicate_of else None
    if target is None:
        raise InvalidMerge(reason="unknown_original")
    if target.id == report.id:
        raise InvalidMerge(reason="same_report")
    if target.status in MERGE_TARGET_EXCLUDED:
        raise InvalidMerge(reason="original_not_open")
    check_transition(report, "duplicate")
    report.duplicate_of_id = target.id
    await record(
        ctx,
        session,
        report,
        actor=actor,
        action="merge",
        to_status="duplicate",
        note=reason,
        detail={"duplicate_of": str(target.id), "tracking_code": target.tracking_code},
    )
    movers = [a for a in [report.reporter_id] if a and a != target.reporter_id]
    await repo.move_followers(session, report.id, target.id, movers)
    if target.reporter_id is not None:
        await repo.unfollow(session, target.id, target.reporter_id)
    return target


async def _reroute(
    ctx: AppContext, session: AsyncSession, report: Report, actor: Actor, *, agency_code: str | None, reason: str | None
) -> None:
    code = await _agency_or_fail(session, _require(agency_code, "agency_code"))
    if report.status not in ("approved", "assigned", "in_progress"):
        raise IllegalTransition(from_status=report.status, to_status="assigned")
    previous = report.agency_code
    report.agency_code = code
    await record(
        ctx,
        session,
        report,
        actor=actor,
        action="reroute",
        to_status="assigned",
        note=reason,
        detail={"from_agency": previous, "to_agency": code},
    )


async def moderate(
    ctx: AppContext,
    session: AsyncSession,
    report_id: str,
    actor: Actor,
    *,
    action: str,
    reason: str | None = None,
    duplicate_of: str | None = None,
    agency_code: str | None = None,
    severity: str | None = None,
) -> Report:
    report = await repo.report(session, report_id, for_update=True)
    if report is None:
        raise ReportNotFound()
    before = report.status
    detail: dict = {"from_status": before}
    if action == "approve":
        await _approve(ctx, session, report, actor, reason=reason, agency_code=agency_code, severity=severity)
    elif action == "reject":
        await transition(
            ctx, session, report, actor=actor, action="reject", to_status="rejected", note=_require(reason, "reason")
        )
    elif action == "hide":
        await transition(ctx, session, report, actor=actor, action="hide", to_status="hidden", note=reason)
    elif action == "merge":
        target = await _merge(ctx, session, report, actor, duplicate_of=duplicate_of, reason=reason)
        detail["duplicate_of"] = str(target.id)
    elif action == "route":
        await _reroute(ctx, session, report, actor, agency_code=agency_code, reason=reason)
        detail["agency_code"] = report.agency_code
    else:  # pragma: no cover - the schema restricts the action
        raise InvalidField(field="action")
    detail.update(to_status=report.status, reason=reason)
    await audit.record(
        session,
        action=f"feedback.{action}",
        target_type="feedback_report",
        target_id=report.id,
        actor_id=actor.account_id,
        detail=detail,
    )
    return report


async def ban_account(
    session: AsyncSession, actor: Actor, *, account_id: uuid.UUID, reason: str, until: datetime | None
) -> Ban:
    from auth.models import Account

    if await session.get(Account, account_id) is None:
        raise InvalidField(field="account_id")
    ban = await repo.ban(session, account_id)
    if ban is None:
        ban = Ban(account_id=account_id, reason=reason, banned_by=actor.account_id, until=until)
        session.add(ban)
    else:
        ban.reason, ban.until, ban.banned_by, ban.created_at = reason, until, actor.account_id, utcnow()
    await session.flush()
    await audit.record(
        session,
        action="feedback.ban",
        target_type="account",
        target_id=account_id,
        actor_id=actor.account_id,
        detail={"reason": reason, "until": until.isoformat() if until else None},
    )
    return ban


async def lift_ban(session: AsyncSession, actor: Actor, account_id: uuid.UUID) -> None:
    ban = await repo.ban(session, account_id)
    if ban is None:
        raise BanNotFound()
    await session.delete(ban)
    await session.flush()
    await audit.record(
        session, action="feedback.unban", target_type="account", target_id=account_id, actor_id=actor.account_id
    )
