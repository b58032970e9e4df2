"""Vietnamese phone numbers: accept ``0912345678``, ``+84912345678`` or ``84912345678``; store E.164."""

from __future__ import annotations

import re

from superapp.errors import AppError

# Mobile prefixes in use after the 2018 renumbering (3x, 5x, 7x, 8x, 9x) plus fixed lines (2x).
_NATIONAL = re.compile(r"^(?:[35789]\d{8}|2\d{9})$")


class InvalidPhone(AppError):
    status = 422
    code = "account.invalid_phone"


def normalize_phone(raw: str) -> str:
    """E.164 (``+84…``) or :class:`InvalidPhone`."""
    if not isinstance(raw, str):
        raise InvalidPhone()
    digits = re.sub(r"[\s.\-()]", "", raw.strip())
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        raise InvalidPhone()
    if not national.isdigit() or not _NATIONAL.match(national):
        raise InvalidPhone()
    return "+84" + national


def is_phone_like(value: str) -> bool:
    try:
        normalize_phone(value)
        return True
    except InvalidPhone:
        return False
