"""Console routes answer errors as an HTML page to browsers and as problem+json to the rest.

Errors keep their status and stable ``code`` either way; the HTML page shows both.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from superapp.console.errors import InvalidForm, NotSignedIn
from superapp.errors import AppError, problem_response


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/admin/login?next={quote(here, safe='')}"


def wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept


class ConsoleRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            from superapp.console.rendering import console_language, render_error

            console_language(request)
            try:
                return await handler(request)
            except RequestValidationError as exc:
                error: AppError = InvalidForm(errors=_errors(exc))
            except AppError as exc:
                error = exc
            if wants_html(request):
                if isinstance(error, NotSignedIn) and request.method in ("GET", "HEAD"):
                    return RedirectResponse(login_url(request), status_code=303)
                return render_error(request, error, getattr(request.state, "console_session", None))
            return problem_response(request, error)

        return console_handler


def _errors(exc: RequestValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "form")), "type": e.get("type", "")}
        for e in exc.errors()[:20]
    ]
