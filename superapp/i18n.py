"""Messages in Vietnamese (default) and English.

Each package ships ``locales/vi.json`` and ``locales/en.json`` (flat ``key → text`` maps, text may
hold ``{name}`` placeholders). Catalogues are merged at start; the code never hard-codes human
text, it names a key.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from typing import Any

from fastapi import Request

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
log = logging.getLogger(__name__)

_catalog: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
_loaded: set[str] = set()


def load_package(package: str) -> None:
    """Merge ``<package>/locales/{vi,en}.json`` into the catalogue (once per package)."""
    if package in _loaded:
        return
    _loaded.add(package)
    try:
        base = resources.files(package).joinpath("locales")
    except (ModuleNotFoundError, TypeError):
        return
    for lang in LANGUAGES:
        f = base.joinpath(f"{lang}.json")
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as exc:  # pragma: no cover - broken package data
            log.error("cannot read %s/locales/%s.json: %s", package, lang, exc)
            continue
        _catalog[lang].update(data)


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The text for ``key`` in ``lang`` (falls back to Vietnamese, then to the key itself)."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    text = _catalog[lang].get(key) or _catalog[DEFAULT_LANGUAGE].get(key) or _catalog["en"].get(key)
    if text is None:
        return key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has(key: str) -> bool:
    return key in _catalog["en"] or key in _catalog["vi"]


def negotiate(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Pick ``vi`` or ``en`` from an ``Accept-Language`` header (RFC 9110 quality values)."""
    if not accept_language:
        return default
    best, best_q = default, -1.0
    for part in accept_language.split(",")[:20]:
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def request_language(request: Request) -> str:
    cached = getattr(request.state, "lang", None)
    if cached:
        return cached
    lang = negotiate(request.headers.get("accept-language"))
    request.state.lang = lang
    return lang
