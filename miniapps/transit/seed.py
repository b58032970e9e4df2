"""Demo data: Hanoi bus products at 2024 fares (VND), and one registered validator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from miniapps.transit.models import TransitProduct, TransitValidator

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from superapp.context import AppContext

PRODUCTS = [
    # code, number, kind, vi, en, price, concession
    ("single_ride", 1, "single_ride", "Vé lượt", "Single ride", 8_000, None),
    ("day_pass", 2, "day_pass", "Vé ngày", "Day pass", 30_000, None),
    ("monthly_pass", 3, "monthly_pass", "Vé tháng liên tuyến", "Monthly pass, all routes", 200_000, None),
    ("monthly_student", 4, "monthly_pass", "Vé tháng liên tuyến HSSV", "Monthly pass, students", 100_000, "student"),
    ("monthly_elderly", 5, "monthly_pass", "Vé tháng người cao tuổi (miễn phí)", "Monthly pass, aged 60+ (free)",
     0, "elderly"),
]
DEMO_VALIDATOR = ("HN-BUS-32-001", "Xe buýt tuyến 32, máy soát vé 1", "32")


async def seed(ctx: AppContext, session: AsyncSession) -> list[str]:
    added = 0
    for order, (code, number, kind, vi, en, price, concession) in enumerate(PRODUCTS):
        if await session.get(TransitProduct, code) is None:
            session.add(
                TransitProduct(
                    code=code, number=number, kind=kind, name={"vi": vi, "en": en}, price_vnd=price,
                    concession=concession, sort_order=(order + 1) * 10,
                )
            )
            added += 1
    validator_id, name, route = DEMO_VALIDATOR
    if await session.get(TransitValidator, validator_id) is None:
        session.add(TransitValidator(validator_id=validator_id, name=name, route=route))
    await session.flush()
    return [f"transit: {len(PRODUCTS)} products ({added} new), validator {validator_id}"]
