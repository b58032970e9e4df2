"""The manifest the host loads through the entry point ``superapp.miniapps: parking``."""

from __future__ import annotations

from pathlib import Path

from hanoi_parking.endpoints import router
from hanoi_parking.seed import seed
from miniapps.sdk import MiniApp, NotificationCategory

miniapp = MiniApp(
    name="parking",
    slug="parking",
    title={"vi": "Bãi đỗ xe", "en": "Parking"},
    description={
        "vi": "Tìm bãi đỗ xe còn chỗ trống gần bạn.",
        "en": "Find parking lots with free spaces near you.",
    },
    category="transport",
    icon_url="https://parking.example.vn/icon.png",
    scopes=["openid", "profile"],
    router=router,
    models=["hanoi_parking.models"],
    notification_categories=[
        NotificationCategory(
            code="parking.expiring",
            name={"vi": "Vé gửi xe sắp hết giờ", "en": "Parking time running out"},
        )
    ],
    locales_package="hanoi_parking",
    seed=seed,
    migrations=str(Path(__file__).resolve().parent / "migrations"),
    client_redirect_uris=["https://parking.example.vn/callback"],
)
