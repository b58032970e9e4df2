"""HTML pages of the provider (login, consent, errors, logout), in Vietnamese and English.

Jinja2 templates under ``auth/templates/oidc/``; every text is a message key. Each page carries
its own Content-Security-Policy (inline style by nonce, forms only to this server and the
client's registered return address), ``Cache-Control: no-store`` and ``X-Frame-Options: DENY``.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from superapp import i18n

i18n.load_package("auth.oidc")


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=PackageLoader("auth", "templates"), autoescape=select_autoescape(["html"]))


def page_language(request: Request, ui_locales: str | None = None) -> str:
    """``ui_locales`` (OIDC Core §3.1.2.1) first, then ``Accept-Language``; ``vi`` by default."""
    for tag in (ui_locales or "").split()[:10]:
        primary = tag.lower().split("-")[0]
        if primary in i18n.LANGUAGES:
            return primary
    return i18n.request_language(request)


def _form_target(uri: str | None) -> str:
    if not uri:
        return ""
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f" {parts.scheme}://{parts.netloc}"
    return f" {parts.scheme}:" if parts.scheme else ""


def render(
    template: str,
    lang: str,
    *,
    status: int = 200,
    redirect_target: str | None = None,
    **context: Any,
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)

    def t(key: str, **params: Any) -> str:
        return i18n.t(key, lang, **params)

    def scope_text(scope: str) -> str:
        key = f"oidc.scope.{scope}"
        return t(key) if i18n.has(key) else scope

    html = environment().get_template(f"oidc/{template}").render(
        lang=lang, t=t, scope_text=scope_text, csp_nonce=nonce, **context
    )
    csp = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; "
        f"form-action 'self'{_form_target(redirect_target)}; frame-ancestors 'none'; base-uri 'none'"
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": csp,
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
            "X-Frame-Options": "DENY",
            "Content-Language": lang,
        },
    )


def error_page(lang: str, message_key: str, *, status: int = 400, heading_key: str = "oidc.error.heading") -> HTMLResponse:
    return render("error.html", lang, status=status, heading_key=heading_key, message_key=message_key)
