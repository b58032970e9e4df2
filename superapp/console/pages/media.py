"""Report photos for the console's pages, fetched with the staff member's token.

The browser cannot send the bearer token itself, so the console fetches the image in-process and
hands back the bytes: images only, from the modules' media paths on this issuer only (never a
proxy to anything else).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from superapp.console.api import ConsoleApi
from superapp.console.deps import StaffSession
from superapp.console.errors import PageNotFound
from superapp.console.routing import ConsoleRoute

router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# Where the module APIs serve images that staff pages show.
MEDIA_PREFIXES = ("/v1/feedback/photos/",)


def local_path(src: str, issuer: str) -> str | None:
    if src.startswith(issuer + "/"):
        src = src[len(issuer) :]
    if not src.startswith(MEDIA_PREFIXES) or ".." in src or "\\" in src or "?" in src or "#" in src:
        return None
    return src


@router.get("/media")
async def media(request: Request, session: StaffSession, src: Annotated[str, Query(min_length=2, max_length=2000)]):
    path = local_path(src, request.app.state.ctx.settings.resolved_issuer)
    if path is None:
        raise PageNotFound()
    r = await ConsoleApi(request, session).send("GET", path, headers={"Accept": "image/*"})
    media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in IMAGE_TYPES:
        raise PageNotFound()
    return Response(r.content, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})
