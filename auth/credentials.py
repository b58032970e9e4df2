"""Checking a citizen's password (the login page and the authorization challenge).

The username is a phone number in any accepted form (``0912…``, ``+84912…``, ``84912…``) or an
email address. Unknown or inactive accounts still cost one Argon2 verification (against a dummy
hash), so timing does not tell which accounts exist; a hash made with old parameters is
replaced on success.
"""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from auth.passwords import hasher_for
from auth.phones import InvalidPhone, normalize_phone
from superapp.context import AppContext
from superapp.db import utcnow

MAX_USERNAME_LENGTH = 254
MAX_PASSWORD_LENGTH = 1024


def normalize_username(username: str) -> str | None:
    """E.164 phone or lower-cased email; None when it is neither."""
    value = (username or "").strip()
    if not value or len(value) > MAX_USERNAME_LENGTH:
        return None
    if "@" in value:
        return value.lower()
    try:
        return normalize_phone(value)
    except InvalidPhone:
        return None


async def find_account(session: AsyncSession, username: str) -> Account | None:
    key = normalize_username(username)
    if key is None:
        return None
    column = Account.email if "@" in key else Account.phone
    return (await session.exec(select(Account).where(column == key))).first()


async def authenticate_password(ctx: AppContext, session: AsyncSession, username: str, password: str) -> Account | None:
    """The active account whose username and password match, else None."""
    hasher = hasher_for(ctx.settings)
    if not password or len(password) > MAX_PASSWORD_LENGTH:
        await hasher.verify("x", None)
        return None
    account = await find_account(session, username)
    stored = account.password_hash if account is not None and account.is_active else None
    ok, new_hash = await hasher.verify(password, stored)
    if not ok or account is None:
        return None
    if new_hash:
        account.password_hash = new_hash
        account.updated_at = utcnow()
        session.add(account)
        await session.flush()
    return account
