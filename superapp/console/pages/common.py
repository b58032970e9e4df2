"""Helpers shared by the console's pages: post-redirect-get with a flash message."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse

from superapp import i18n
from superapp.console.errors import ApiProblem
from superapp.console.sessions import ConsoleSession, SessionStore

CATEGORY_CACHE_SECONDS = 300.0


async def act(
    request: Request,
    session: ConsoleSession,
    call: Callable[[], Awaitable[Any]],
    *,
    done_key: str,
    back: str,
    **params: Any,
) -> RedirectResponse:
    """Run one API call; tell the staff member how it went on the page they return to."""
    store = SessionStore(request.app.state.ctx)
    lang = getattr(request.state, "lang", None) or i18n.DEFAULT_LANGUAGE
    try:
        await call()
    except ApiProblem as problem:
        detail = problem.to_problem(lang)["detail"]
        await store.flash(session, "error", f"{detail} ({problem.code})")
    else:
        await store.flash(session, "ok", i18n.t(done_key, lang, **params))
    return RedirectResponse(back, status_code=303)


def localized(value: Any, lang: str) -> str:
    """A ``{"vi": …, "en": …}`` text in ``lang`` (or whatever is there); plain strings as they are."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("vi") or value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


async def category_names(request: Request, api: Any) -> dict[str, str]:
    """Feedback category code → name in the staff member's language (cached briefly)."""
    lang = getattr(request.state, "lang", None) or i18n.DEFAULT_LANGUAGE
    cache = request.app.state.ctx.cache
    hit = cache.get(f"console:categories:{lang}")
    if hit and time.monotonic() - hit[0] < CATEGORY_CACHE_SECONDS:
        return hit[1]
    try:
        rows = await api.get("/v1/feedback/categories")
    except ApiProblem:
        return {}
    names = {str(r.get("code")): str(r.get("name") or r.get("code")) for r in rows if isinstance(r, dict)}
    cache[f"console:categories:{lang}"] = (time.monotonic(), names)
    return names
