"""Account rules: creation, registration by phone + OTP, verification, password reset.

Services only ``flush()``; the caller's unit of work commits. Passwords are Argon2id
(:mod:`auth.passwords`, off the event loop); phones are stored E.164 (:mod:`auth.phones`).
"""

from __future__ import annotations

import logging
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.accounts import repository as repo
from auth.accounts.errors import (
    AgencyRequired,
    EmailTaken,
    IdentityIncomplete,
    InvalidEmail,
    InvalidName,
    InvalidRole,
    NationalIdTaken,
    NotPending,
    PhoneTaken,
    WeakPassword,
)
from auth.cccd import validate_cccd
from auth.models import ROLES, Account
from auth.otp import OtpRefused, claim_send_slot, require_otp, send_otp
from auth.passwords import hasher_for, password_problem
from auth.phones import normalize_phone
from superapp.db import utcnow

if TYPE_CHECKING:
    from superapp.context import AppContext
    from superapp.settings import Settings

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200
PENDING = "pending_verification"
ACTIVE = "active"


def check_password(password: str | None) -> str:
    """The password if acceptable, else :class:`WeakPassword` naming the rule it breaks."""
    if not password:
        raise WeakPassword(code="account.password_required")
    problem = password_problem(password)
    if problem:
        raise WeakPassword(code=problem.removeprefix("error."))
    return password


def clean_full_name(name: str | None) -> str | None:
    """NFC, single spaces, no control or format characters (:class:`InvalidName`); None when empty."""
    if name is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", name).split())
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise InvalidName()
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidName()
    return text or None


def normalize_email(email: str | None) -> str | None:
    """Lower-cased, syntax-checked email (no DNS lookup), or None when empty."""
    if email is None or not email.strip():
        return None
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidEmail() from exc


def check_roles(roles: Iterable[str], agency_code: str | None) -> list[str]:
    """The sorted role list (always with ``citizen``); unknown roles are refused."""
    wanted = {"citizen", *roles}
    for role in sorted(wanted):
        if role not in ROLES:
            raise InvalidRole(params={"role": role}, role=role)
    if "agency_officer" in wanted and not agency_code:
        raise AgencyRequired()
    return sorted(wanted)


async def flush_unique(session: AsyncSession) -> None:
    """Flush; a unique-constraint race on phone, email or national ID becomes its 409."""
    try:
        await session.flush()
    except IntegrityError as exc:
        text = str(exc.orig).lower()
        if "email" in text:
            raise EmailTaken() from exc
        if "national_id" in text:
            raise NationalIdTaken() from exc
        raise PhoneTaken() from exc


async def create_account(
    session: AsyncSession,
    settings: Settings,
    *,
    phone: str,
    password: str,
    full_name: str | None = None,
    email: str | None = None,
    roles: Iterable[str] = (),
    agency_code: str | None = None,
    national_id: str | None = None,
    birth_date: date | None = None,
    district_code: str | None = None,
    active: bool = True,
) -> Account:
    """Create an account (used by registration, ``superapp users create`` and seeds).

    With ``national_id`` and ``birth_date`` the account starts at identity level 2 (the
    operator vouches; the registry is not consulted); otherwise level 1 when ``active``, 0 while
    pending verification.
    """
    phone = normalize_phone(phone)
    check_password(password)
    email = normalize_email(email)
    role_list = check_roles(roles, agency_code)
    if (national_id is None) != (birth_date is None):
        raise IdentityIncomplete()
    if national_id is not None and birth_date is not None:
        validate_cccd(national_id, birth_date)
    if await repo.account_by_phone(session, phone) is not None:
        raise PhoneTaken()
    if email and await repo.account_by_email(session, email) is not None:
        raise EmailTaken()
    if national_id and await repo.account_by_national_id(session, national_id) is not None:
        raise NationalIdTaken()
    now = utcnow()
    level = (2 if national_id else 1) if active else 0
    account = Account(
        phone=phone,
        email=email,
        full_name=clean_full_name(full_name),
        password_hash=await hasher_for(settings).hash(password),
        status=ACTIVE if active else PENDING,
        identity_level=level,
        roles=role_list,
        agency_code=agency_code,
        national_id=national_id,
        birth_date=birth_date,
        district_code=district_code,
        verified_at=now if active else None,
        identity_verified_at=now if level == 2 else None,
        password_changed_at=now,
    )
    session.add(account)
    await flush_unique(session)
    return account


async def register(
    ctx: AppContext,
    session: AsyncSession,
    *,
    phone: str,
    password: str,
    full_name: str,
    email: str | None = None,
    lang: str = "vi",
) -> Account:
    """Start a registration: a pending account and an OTP texted to the phone.

    Registering again while still pending updates that account and texts a new code.
    """
    phone = normalize_phone(phone)
    check_password(password)
    email = normalize_email(email)
    clean_full_name(full_name)
    existing = await repo.account_by_phone(session, phone)
    if existing is None:
        account = await create_account(
            session, ctx.settings, phone=phone, password=password, full_name=full_name, email=email, active=False
        )
    elif existing.status != PENDING:
        raise PhoneTaken()
    else:
        if email:
            holder = await repo.account_by_email(session, email)
            if holder is not None and holder.id != existing.id:
                raise EmailTaken()
        existing.password_hash = await hasher_for(ctx.settings).hash(password)
        existing.full_name = clean_full_name(full_name)
        existing.email = email
        existing.updated_at = existing.password_changed_at = utcnow()
        session.add(existing)
        await flush_unique(session)
        account = existing
    await send_otp(ctx, phone=phone, purpose="register", lang=lang)
    return account


async def verify_registration(ctx: AppContext, session: AsyncSession, *, phone: str, code: str) -> Account:
    """Check the registration code: the account becomes active at identity level 1."""
    phone = normalize_phone(phone)
    account = await repo.account_by_phone(session, phone)
    if account is None or account.status != PENDING:
        raise NotPending()
    await require_otp(ctx, phone=phone, purpose="register", code=code)
    now = utcnow()
    account.status = ACTIVE
    account.identity_level = max(account.identity_level, 1)
    account.verified_at = account.updated_at = now
    session.add(account)
    await session.flush()
    return account


async def send_code_to_active_account(
    ctx: AppContext, session: AsyncSession, *, phone: str, purpose: str, lang: str = "vi"
) -> None:
    """Text a ``purpose`` code if ``phone`` belongs to an active account.

    Unknown, pending or disabled phones get no text but count against the same throttle, so
    the answer never tells whether the phone is registered.
    """
    phone = normalize_phone(phone)
    account = await repo.account_by_phone(session, phone)
    if account is not None and account.is_active:
        await send_otp(ctx, phone=phone, purpose=purpose, lang=lang)
    else:
        await claim_send_slot(ctx, phone=phone, purpose=purpose)


async def confirm_password_reset(
    ctx: AppContext, session: AsyncSession, *, phone: str, code: str, new_password: str
) -> Account:
    """Set a new password with a ``password_reset`` code; every signed-in session ends."""
    phone = normalize_phone(phone)
    check_password(new_password)
    await require_otp(ctx, phone=phone, purpose="password_reset", code=code)
    account = await repo.account_by_phone(session, phone)
    if account is None or not account.is_active:
        raise OtpRefused(code="otp.expired")
    now = utcnow()
    account.password_hash = await hasher_for(ctx.settings).hash(new_password)
    account.password_changed_at = account.updated_at = now
    session.add(account)
    await session.flush()
    await revoke_account_tokens(ctx, session, account.id)
    return account


async def revoke_account_tokens(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> bool:
    """End every session and grant of the account through the OIDC provider, when installed."""
    try:
        from auth.oidc.revoke import revoke_account
    except ImportError:
        log.info("OIDC revocation not installed; account %s has no provider sessions to end", account_id)
        return False
    await revoke_account(ctx, session, account_id)
    return True
