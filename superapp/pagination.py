"""Cursor pagination: ``?limit=&cursor=`` → ``{"items": [...], "next_cursor": "…" | null}``.

A cursor is an opaque base64url JSON list of the sort-key values of the last item returned
(keyset pagination: stable under inserts, one index range scan per page).
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from superapp.errors import AppError

T = TypeVar("T")
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class InvalidCursor(AppError):
    status = 400
    code = "pagination.invalid_cursor"


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, length: int | None = None) -> list[Any]:
    try:
        if len(cursor) > 1024:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise InvalidCursor() from exc
    if not isinstance(values, list) or (length is not None and len(values) != length):
        raise InvalidCursor()
    return values


class PageParams(BaseModel):
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


def paginate(rows: list[T], limit: int, key: Any) -> tuple[list[T], str | None]:
    """Given up to ``limit + 1`` rows, return the page and the next cursor (``key(row)`` → list)."""
    if len(rows) > limit:
        page = rows[:limit]
        return page, encode_cursor(key(page[-1]))
    return rows, None
