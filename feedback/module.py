"""The feedback module as the host sees it."""

from feedback import personal_data, tasks  # noqa: F401 - tasks registers the periodic job
from feedback.endpoints.citizen import router as citizen_router
from feedback.endpoints.public import router as public_router
from feedback.endpoints.staff import admin_router, agency_router
from feedback.open311.endpoints import router as open311_router
from feedback.seed import seed
from miniapps.sdk import Module, NotificationCategory

module = Module(
    name="feedback",
    routers=[public_router, citizen_router, admin_router, agency_router, open311_router],
    models=["feedback.models"],
    notification_categories=[
        NotificationCategory(
            code="feedback.status",
            name={"vi": "Cập nhật phản ánh hiện trường", "en": "Updates on your city reports"},
        ),
    ],
    locales_package="feedback",
    seed=seed,
    seed_order=40,
    export=personal_data.export,
    erase=personal_data.erase,
)
