"""GeoReport v2 endpoints: discovery, services, service requests, tokens.

``service_request_id`` is the report's tracking code; the ``token`` returned on creation is the
report id and resolves through ``tokens/{token}.json``. Listing returns published reports only
(the public feed's rule); a request still awaiting moderation is shown by id without its text.
Pagination extension: ``page`` (from 1) and ``page_size`` (≤ 100).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile

from feedback import reports
from feedback import repository as repo
from feedback.config import feedback_settings
from feedback.errors import InvalidField, PhotoTooLarge
from feedback.open311.apikey import client_for_api_key
from feedback.open311.errors import MissingParameter, Open311Error, Open311Route, RequestNotFound, UnknownService
from feedback.open311.serializers import CLOSED_STATUSES, service, service_request
from feedback.workflow import Actor
from superapp.context import CtxDep
from superapp.db import unit_of_work
from superapp.i18n import request_language, t

router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-23T00:00:00+07:00"
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 100
DEFAULT_WINDOW = timedelta(days=90)
OPEN_STATUSES = ["approved", "assigned", "in_progress"]
MAX_PARAM = 2000


def _base(ctx) -> str:
    return ctx.settings.resolved_issuer


def _int_param(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise Open311Error(code="open311.invalid_parameter", field=name) from exc
    if not low <= value <= high:
        raise Open311Error(code="open311.invalid_parameter", field=name)
    return value


def _date_param(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(code="open311.invalid_parameter", field=name) from exc
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _list_param(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    return [v.strip() for v in raw.split(",") if v.strip()][:100] or None


@router.get("/discovery.json")
async def discovery(request: Request, ctx: CtxDep) -> dict[str, Any]:
    lang = request_language(request)
    return {
        "changeset": CHANGESET,
        "contact": t("feedback.open311.contact", lang),
        "key_service": t("feedback.open311.key_service", lang),
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": f"{_base(ctx)}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json"],
            }
        ],
    }


@router.get("/services.json")
async def services(request: Request, ctx: CtxDep) -> list[dict[str, Any]]:
    lang = request_language(request)
    async with unit_of_work(ctx.sessionmaker) as session:
        return [service(c, lang) for c in await repo.categories(session)]


@router.get("/services/{service_code}.json")
async def service_definition(service_code: str, ctx: CtxDep) -> dict[str, Any]:
    async with unit_of_work(ctx.sessionmaker) as session:
        category = await repo.category(session, service_code)
        if category is None or not category.active:
            raise UnknownService()
    return {"service_code": category.code, "attributes": []}


async def _present(session, rows, ctx, lang: str, *, moderated=lambda r: True) -> list[dict[str, Any]]:
    photos = await repo.photos_for(session, [r.id for r in rows])
    cats = {c.code: c for c in await repo.categories(session, active_only=False)}
    agencies = {a.code: a for a in await repo.agencies(session)}
    return [
        service_request(
            r,
            category=cats.get(r.category_code),
            agency=agencies.get(r.agency_code or ""),
            photos=photos[r.id],
            base_url=_base(ctx),
            lang=lang,
            moderated=moderated(r),
        )
        for r in rows
    ]


@router.get("/requests.json")
async def list_requests(request: Request, ctx: CtxDep) -> list[dict[str, Any]]:
    q = request.query_params
    if any(len(v) > MAX_PARAM for v in q.values()):
        raise Open311Error(code="open311.invalid_parameter")
    status = q.get("status")
    if status and status not in ("open", "closed"):
        raise Open311Error(code="open311.invalid_parameter", field="status")
    statuses = None if not status else (OPEN_STATUSES if status == "open" else sorted(CLOSED_STATUSES))
    codes = _list_param(q.get("service_request_id"))
    start, end = _date_param(q.get("start_date"), "start_date"), _date_param(q.get("end_date"), "end_date")
    if codes is None and start is None and end is None:
        start = datetime.now(UTC) - DEFAULT_WINDOW
    page = _int_param(q.get("page"), "page", 1, 1, 10_000)
    size = _int_param(q.get("page_size"), "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    async with unit_of_work(ctx.sessionmaker) as session:
        rows = await repo.open311_requests(
            session,
            tracking_codes=[c.upper() for c in codes] if codes else None,
            categories=_list_param(q.get("service_code")),
            statuses=statuses,
            start=start,
            end=end,
            offset=(page - 1) * size,
            limit=size,
        )
        return await _present(session, rows, ctx, request_language(request))


@router.get("/requests/{service_request_id}.json")
async def get_request(service_request_id: str, request: Request, ctx: CtxDep) -> list[dict[str, Any]]:
    async with unit_of_work(ctx.sessionmaker) as session:
        report = await repo.report_by_tracking_code(session, service_request_id[:20])
        if report is None or not (report.is_public or report.status == "submitted"):
            raise RequestNotFound()
        return await _present(session, [report], ctx, request_language(request), moderated=lambda r: r.is_public)


@router.get("/tokens/{token}.json")
async def get_token(token: str, ctx: CtxDep) -> list[dict[str, Any]]:
    async with unit_of_work(ctx.sessionmaker) as session:
        report = await repo.report(session, token)
        if report is None or report.status in ("rejected", "hidden"):
            raise RequestNotFound()
        return [{"service_request_id": report.tracking_code, "token": token}]


@router.post("/requests.json", status_code=201)
async def create_request(request: Request, ctx: CtxDep) -> list[dict[str, Any]]:
    settings = feedback_settings(ctx)
    ctype = (request.headers.get("content-type") or "").lower()
    if not ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        raise Open311Error(code="open311.form_required")
    form = await request.form(max_files=settings.max_photos + 1, max_fields=100)
    try:
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        async with unit_of_work(ctx.sessionmaker) as session:
            client = await client_for_api_key(
                session,
                values.get("api_key") or request.query_params.get("api_key"),
                values.get("client_id") or request.query_params.get("client_id"),
            )
            await ctx.limiter.check("600/minute", "feedback.open311", client.client_id)
            for name in ("service_code", "lat", "long", "description"):
                if not values.get(name):
                    raise MissingParameter(field=name)
            photos = []
            for item in form.getlist("media"):
                if isinstance(item, UploadFile):
                    data = await item.read(settings.max_photo_bytes + 1)
                    if len(data) > settings.max_photo_bytes:
                        raise PhotoTooLarge(params={"max_mb": settings.max_photo_bytes // (1024 * 1024)})
                    photos.append(data)
            address = values.get("address_string")
            if address is not None and len(address) > reports.ADDRESS_MAX:
                raise InvalidField(field="address_string")
            report = await reports.submit(
                ctx,
                session,
                reports.ReportInput(
                    category=values["service_code"],
                    description=values["description"],
                    latitude=values["lat"],
                    longitude=values["long"],
                    address=address,
                    photos=photos,
                ),
                actor=Actor(role="open311", label=client.client_id),
                reporter_id=None,
                client_id=client.client_id,
                source="open311",
            )
            return [
                {
                    "service_request_id": report.tracking_code,
                    "token": str(report.id),
                    "service_notice": None,
                    "account_id": None,
                }
            ]
    finally:
        await form.close()


@router.api_route("/{path:path}", methods=["GET", "POST"], include_in_schema=False)
async def unknown(path: str) -> None:
    raise RequestNotFound(code="open311.not_found", message_key="error.not_found")
