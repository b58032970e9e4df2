"""Checks on what a notification carries: localized title/body sizes and the data payload."""

from __future__ import annotations

import json
from typing import Any

from notifications.errors import BodyTooLong, DataTooLarge, EmptyText, InvalidData, TitleTooLong
from superapp.i18n import DEFAULT_LANGUAGE, LANGUAGES

MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 2000
MAX_DATA_BYTES = 4096


def localized(value: str | dict[str, str], *, field: str, limit: int) -> dict[str, str]:
    """``"text"`` or ``{"vi": ..., "en": ...}`` → both languages filled, each within ``limit``.

    A language left out falls back to the other one, so every citizen gets a text.
    """
    if isinstance(value, str):
        texts = {lang: value for lang in LANGUAGES}
    elif isinstance(value, dict):
        texts = {lang: value[lang] for lang in LANGUAGES if isinstance(value.get(lang), str)}
    else:
        raise EmptyText(params={"field": field}, field=field)
    texts = {lang: text.strip() for lang, text in texts.items() if text and text.strip()}
    if not texts:
        raise EmptyText(params={"field": field}, field=field)
    fallback = texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()))
    out = {lang: texts.get(lang, fallback) for lang in LANGUAGES}
    for text in out.values():
        if len(text) > limit:
            error = TitleTooLong if field == "title" else BodyTooLong
            raise error(params={"limit": limit}, limit=limit)
    return out


def checked_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """The data payload as JSON, at most 4 KiB once encoded."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidData()
    try:
        encoded = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    except (TypeError, ValueError) as exc:
        raise InvalidData() from exc
    if len(encoded) > MAX_DATA_BYTES:
        raise DataTooLarge(params={"limit": MAX_DATA_BYTES}, limit=MAX_DATA_BYTES)
    return data


def pick(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), "")
