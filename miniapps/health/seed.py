"""``superapp seed demo``: the demo citizen's and her son's health record (idempotent)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.health.demo_record import demo_bundle
from miniapps.health.fhir.indexing import LOCAL_TZ
from miniapps.health.importer import import_bundle
from superapp.context import AppContext

try:
    from auth.seed import DEMO_CHILD_ID, DEMO_CITIZEN_ID
except ImportError:  # the accounts seed defines them; these are the same values
    DEMO_CITIZEN_ID, DEMO_CHILD_ID = "001188004512", "001215007781"
DEMO_CHILD_BIRTH = date(2015, 6, 2)


async def seed_demo(ctx: AppContext, session: AsyncSession) -> list[str]:
    today = datetime.now(LOCAL_TZ).date()
    result = await import_bundle(session, demo_bundle(DEMO_CITIZEN_ID, DEMO_CHILD_ID, DEMO_CHILD_BIRTH, today))
    return [f"Health record: {result.total} FHIR resources for the demo citizen and her son"]
