"""Cookie flags of the console: HttpOnly, SameSite=Lax, Secure when the issuer is https."""

from __future__ import annotations

from fastapi import Response

from superapp.settings import Settings

COOKIE_PATH = "/admin"


def set_cookie(response: Response, settings: Settings, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.resolved_issuer.startswith("https://"),
    )


def clear_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(
        name, path=COOKIE_PATH, httponly=True, samesite="lax", secure=settings.resolved_issuer.startswith("https://")
    )
