"""Every code the account package answers with has Vietnamese and English text."""

from __future__ import annotations

import inspect
import json
from importlib import resources

import pytest

from auth import cccd, otp, phones
from auth.accounts import errors
from superapp.errors import AppError

EXTRA_CODES = [
    "account.password_required",
    "account.password_too_short",
    "account.password_too_long",
    "account.password_too_common",
    "otp.invalid",
    "otp.expired",
    "otp.already_used",
    "otp.too_many_attempts",
    "otp.resend_too_soon",
    "otp.too_many_sends",
]


def catalogue(package: str, lang: str) -> dict[str, str]:
    return json.loads(resources.files(package).joinpath(f"locales/{lang}.json").read_text(encoding="utf-8"))


def codes() -> list[str]:
    found = set(EXTRA_CODES)
    for module in (errors, otp, cccd, phones):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, AppError) and cls.__module__ == module.__name__:
                found.add(cls.code)
    return sorted(found)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_code_has_a_message(lang):
    known = catalogue("auth", lang) | catalogue("superapp", lang)
    missing = [code for code in codes() if f"error.{code}" not in known]
    assert missing == []


@pytest.mark.parametrize("purpose", ["register", "login", "password_reset"])
def test_sms_texts_in_both_languages_carry_the_code(purpose):
    for lang in ("vi", "en"):
        text = catalogue("auth", lang)[f"sms.otp.{purpose}"]
        assert "{code}" in text and "{minutes}" in text
