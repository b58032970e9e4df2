"""HTML rendering: Jinja2 templates in ``templates/``, texts from the i18n catalogue.

Pages carry their own Content-Security-Policy (scripts, styles and images from this origin
only, forms posting to this origin only) in place of the API's ``default-src 'none'``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from superapp import i18n
from superapp.console.navigation import visible_sections
from superapp.console.sessions import ConsoleSession
from superapp.errors import AppError

LANG_COOKIE = "console_lang"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# ``same-origin`` (not the API's ``no-referrer``) so that the browser sends a real ``Origin`` on
# the console's own form posts, which the CSRF check compares.
CITY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store", "Referrer-Policy": "same-origin"}

_env = Environment(
    loader=PackageLoader("superapp.console", "templates"),
    autoescape=select_autoescape(["html"]),
    enable_async=False,
    trim_blocks=True,
    lstrip_blocks=True,
)



def localtime(value: Any) -> str:
    """An RFC 3339 time as Hanoi wall-clock time, ``dd/mm/yyyy HH:MM``."""
    if not isinstance(value, str) or not value:
        return "" if value is None else str(value)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        return parsed.strftime("%d/%m/%Y %H:%M")
    return parsed.astimezone(CITY_TZ).strftime("%d/%m/%Y %H:%M")


_env.filters["localtime"] = localtime


def console_language(request: Request) -> str:
    """The language switch (cookie) wins; otherwise ``Accept-Language``."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in i18n.LANGUAGES:
        request.state.lang = chosen
        return chosen
    return i18n.request_language(request)


def render(
    request: Request,
    template: str,
    *,
    session: ConsoleSession | None = None,
    status_code: int = 200,
    flashes: list[dict[str, str]] | None = None,
    **context: Any,
) -> HTMLResponse:
    lang = console_language(request)

    def t(key: str, **params: Any) -> str:
        return i18n.t(key, lang, **params)

    html = _env.get_template(template).render(
        t=t,
        lang=lang,
        request=request,
        path=request.url.path,
        query=request.url.query,
        session=session,
        staff=session.staff if session else None,
        sections=visible_sections(session.staff) if session else [],
        csrf_token=session.csrf_token if session else "",
        flashes=flashes or [],
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


def render_error(request: Request, error: AppError, session: ConsoleSession | None = None) -> HTMLResponse:
    lang = console_language(request)
    problem = error.to_problem(lang, instance=request.url.path)
    response = render(request, "error.html", session=session, status_code=error.status, problem=problem)
    for name, value in error.headers.items():
        if name.lower() != "www-authenticate":
            response.headers[name] = value
    return response
