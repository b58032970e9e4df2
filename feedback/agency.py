"""Agency officers' actions on the reports routed to their agency.

An officer sees and changes only reports of ``account.agency_code``; another agency's report is
answered as not found, so its existence is not revealed. Admins act on any agency's report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from feedback import repository as repo
from feedback.config import feedback_settings
from feedback.errors import AgencyNotFound, IllegalTransition, InvalidField, NotAgencyOfficer, NotYourAgency
from feedback.images import ProcessedPhoto
from feedback.models import Report
from feedback.reports import check_photo_limits, process_photos, remove_written, store_photos
from feedback.workflow import Actor, check_transition, record
from superapp import audit
from superapp.ids import new_id

if TYPE_CHECKING:
    from auth.models import Account
    from superapp.context import AppContext

OFFICER_STATUSES = {"in_progress": "in_progress", "resolved": "resolved", "reassign": "assigned"}


def officer_agency(account: Account) -> str | None:
    """The agency whose reports ``account`` handles (``None`` for an admin: every agency)."""
    if account.has_role("admin"):
        return None
    if not account.agency_code:
        raise NotAgencyOfficer()
    return account.agency_code


def can_handle(account: Account, report: Report) -> bool:
    if account.has_role("admin"):
        return True
    return (
        account.has_role("agency_officer") and bool(account.agency_code) and report.agency_code == account.agency_code
    )


async def transition(
    ctx: AppContext,
    session: AsyncSession,
    report_id: str,
    account: Account,
    actor: Actor,
    *,
    status: str,
    note: str,
    agency_code: str | None = None,
    photos: list[bytes] | None = None,
) -> Report:
    """Move the report on; ``photos`` (resolution photos) are checked and re-encoded before
    anything changes, stored after, and named in the timeline entry and the audit record."""
    officer_agency(account)
    report = await repo.report(session, report_id, for_update=True)
    if report is None or not can_handle(account, report):
        raise NotYourAgency()
    target = OFFICER_STATUSES[status]
    detail: dict = {"from_status": report.status, "note": note}
    new_agency = None
    if status == "reassign":
        if not agency_code:
            raise InvalidField(field="agency_code")
        new_agency = await repo.agency(session, agency_code)
        if new_agency is None or not new_agency.active:
            raise AgencyNotFound(agency_code=agency_code)
        if new_agency.code == report.agency_code:
            raise InvalidField(field="agency_code", reason="same_agency")
        if report.status not in ("assigned", "in_progress"):
            raise IllegalTransition(from_status=report.status, to_status=target)
    else:
        if status == "in_progress" and report.status == "in_progress":
            raise IllegalTransition(from_status=report.status, to_status=target)
        check_transition(report, target)

    processed: list[ProcessedPhoto] = []
    if photos:
        settings = feedback_settings(ctx)
        check_photo_limits(photos, settings)
        processed = await process_photos(photos, settings)
    photo_ids = [new_id() for _ in processed]
    entry_detail: dict = {"photos": [str(i) for i in photo_ids]} if photo_ids else {}

    if new_agency is not None:
        detail.update(from_agency=report.agency_code, to_agency=new_agency.code)
        report.agency_code = new_agency.code
        entry_detail.update(from_agency=detail["from_agency"], to_agency=new_agency.code)
        entry = await record(
            ctx, session, report, actor=actor, action="reassign", to_status=target, note=note, detail=entry_detail
        )
    else:
        entry = await record(
            ctx, session, report, actor=actor, action=status, to_status=target, note=note, detail=entry_detail or None
        )
    if processed:
        written: list[str] = []
        try:
            await store_photos(
                ctx,
                session,
                report,
                processed,
                kind="resolution",
                event_id=entry.id,
                ids=photo_ids,
                first_position=await repo.next_photo_position(session, report.id),
                written=written,
            )
            await session.flush()
        except BaseException:
            await remove_written(ctx, written)
            raise
        detail["photos"] = entry_detail["photos"]
    await audit.record(
        session,
        action=f"feedback.{status}",
        target_type="feedback_report",
        target_id=report.id,
        actor_id=actor.account_id,
        detail=detail,
    )
    return report
