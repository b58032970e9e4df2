"""The HTML page a doctor's browser gets from a share link (Vietnamese or English).

Jinja2 with autoescaping; inline style by nonce under a strict Content-Security-Policy; never
cached, never framed, not indexed.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from superapp import i18n


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=PackageLoader("miniapps.health", "templates"), autoescape=select_autoescape(["html"]))


def wants_html(accept: str | None) -> bool:
    """A browser's ``Accept`` (``text/html`` before any JSON type) rather than a FHIR client's."""
    if not accept:
        return False
    accept = accept.lower()
    html = accept.find("text/html")
    if html < 0:
        return False
    json_positions = [p for p in (accept.find("json"),) if p >= 0]
    return not json_positions or html < min(json_positions)


def render_shared(lang: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)

    def t(key: str, **params: Any) -> str:
        return i18n.t(key, lang, **params)

    html = environment().get_template("shared.html").render(lang=lang, t=t, nonce=nonce, **context)
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": f"default-src 'none'; style-src 'nonce-{nonce}'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'",
            "Cache-Control": "no-store",
            "X-Frame-Options": "DENY",
            "X-Robots-Tag": "noindex, nofollow",
            "Referrer-Policy": "no-referrer",
        },
    )
