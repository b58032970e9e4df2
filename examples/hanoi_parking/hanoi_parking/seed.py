"""Demo data for ``superapp seed demo`` (idempotent)."""

from __future__ import annotations

from sqlmodel import select

from hanoi_parking.models import ParkingLot

DEMO_LOTS = (
    ("HK-001", "Bãi đỗ xe Hàng Bài", "HK", 120, 35, 30_000),
    ("BD-002", "Bãi đỗ xe Lăng Bác", "BD", 300, 140, 25_000),
    ("CG-003", "Bãi đỗ xe Công viên Cầu Giấy", "CG", 80, 12, 20_000),
)


async def seed(ctx, session) -> list[str]:
    existing = set(await session.exec(select(ParkingLot.code)))
    added = 0
    for code, name, district, capacity, free, price in DEMO_LOTS:
        if code not in existing:
            session.add(
                ParkingLot(
                    code=code,
                    name=name,
                    district_code=district,
                    capacity=capacity,
                    free_spaces=free,
                    price_vnd_per_hour=price,
                )
            )
            added += 1
    await session.flush()
    return [f"parking: {added} demo lots added"] if added else []
