"""The console's landing page and its static files."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from superapp.console.deps import StaffSession
from superapp.console.errors import PageNotFound
from superapp.console.rendering import render
from superapp.console.routing import ConsoleRoute
from superapp.console.sessions import SessionStore

router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
STATIC_FILES = frozenset({"console.css", "console.js"})


@router.get("")
async def root_redirect() -> RedirectResponse:
    return RedirectResponse("/admin/", status_code=308)


@router.get("/")
async def home(request: Request, session: StaffSession):
    flashes = await SessionStore(request.app.state.ctx).take_flashes(session)
    return render(request, "home.html", session=session, flashes=flashes)


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    if name not in STATIC_FILES:
        raise PageNotFound()
    body = resources.files("superapp.console").joinpath("static", name).read_bytes()
    suffix = name[name.rfind(".") :]
    return Response(body, media_type=STATIC_TYPES[suffix], headers={"Cache-Control": "public, max-age=3600"})
