"""The plugin's HTTP API, mounted by the host at ``/v1/parking``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlmodel import select

from hanoi_parking.models import ParkingLot
from superapp.db import SessionDep
from superapp.errors import NotFound
from superapp.pagination import Page, PageDep, decode_cursor, paginate

router = APIRouter(tags=["parking (example mini-app)"])


class LotNotFound(NotFound):
    code = "parking.lot_not_found"


class LotPublic(BaseModel):
    code: str
    name: str
    district_code: str
    capacity: int
    free_spaces: int
    price_vnd_per_hour: int


def _public(lot: ParkingLot) -> LotPublic:
    return LotPublic.model_validate(lot, from_attributes=True)


@router.get("/lots", response_model=Page[LotPublic])
async def list_lots(
    session: SessionDep,
    page: PageDep,
    district: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[LotPublic]:
    """Parking lots by code, optionally in one district."""
    stmt = select(ParkingLot)
    if district:
        stmt = stmt.where(ParkingLot.district_code == district)
    if page.cursor:
        stmt = stmt.where(ParkingLot.code > str(decode_cursor(page.cursor, 1)[0]))
    rows = list(await session.exec(stmt.order_by(ParkingLot.code).limit(page.limit + 1)))
    rows, next_cursor = paginate(rows, page.limit, lambda lot: [lot.code])
    return Page(items=[_public(r) for r in rows], next_cursor=next_cursor)


@router.get("/lots/{code}", response_model=LotPublic)
async def get_lot(code: Annotated[str, Path(max_length=32)], session: SessionDep) -> LotPublic:
    lot = (await session.exec(select(ParkingLot).where(ParkingLot.code == code))).first()
    if lot is None:
        raise LotNotFound(params={"code": code})
    return _public(lot)
