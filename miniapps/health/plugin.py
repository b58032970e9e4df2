"""The health-record mini-app as the host sees it (entry point ``superapp.miniapps: health``)."""

from fastapi import APIRouter

from miniapps.health.cli import health_cli
from miniapps.health.endpoints import citizen, fhir, shared
from miniapps.health.notifier import SHARE_USED_CATEGORY
from miniapps.health.privacy import erase_account, export_account
from miniapps.health.seed import seed_demo
from miniapps.sdk import MiniApp

router = APIRouter()
router.include_router(fhir.router)
router.include_router(citizen.router)
router.include_router(shared.router)

miniapp = MiniApp(
    name="health",
    slug="health",
    title={"vi": "Sổ sức khỏe điện tử", "en": "Health record"},
    description={"vi": "Xem hồ sơ sức khỏe của bạn và con.", "en": "Your and your children's health record."},
    category="health",
    scopes=["openid", "health.read"],
    router=router,
    models=["miniapps.health.models"],
    notification_categories=[SHARE_USED_CATEGORY],
    locales_package="miniapps.health",
    cli=[("health", health_cli)],
    seed=seed_demo,
    seed_order=200,
    export=export_account,
    erase=erase_account,
)
