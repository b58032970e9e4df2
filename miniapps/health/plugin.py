"""The health-record mini-app as the host sees it (entry point ``superapp.miniapps: health``)."""

from miniapps.sdk import MiniApp

miniapp = MiniApp(
    name="health",
    slug="health",
    title={"vi": "Sổ sức khỏe điện tử", "en": "Health record"},
    description={"vi": "Xem hồ sơ sức khỏe của bạn và con.", "en": "Your and your children's health record."},
    category="health",
    scopes=["openid", "health.read"],
)
