"""Push tokens of a citizen's devices."""

from __future__ import annotations

import re
import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import repository
from notifications.errors import DeviceNotFound, InvalidDeviceToken
from notifications.models import Device
from superapp.db import utcnow

# FCM registration tokens (Android, iOS through FCM, web push through FCM) are URL-safe text.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_:.\-]{32,4096}$")


def check_token(token: str) -> str:
    if not TOKEN_RE.match(token or ""):
        raise InvalidDeviceToken()
    return token


async def register(
    session: AsyncSession, account_id: uuid.UUID, *, token: str, platform: str, language: str
) -> tuple[Device, bool]:
    """Add or refresh a device; a token seen on another account moves to this one.

    Returns ``(device, created)``.
    """
    check_token(token)
    device = await repository.device_by_token(session, token)
    if device is None:
        device = Device(account_id=account_id, token=token, platform=platform, language=language)
        session.add(device)
        await session.flush()
        return device, True
    device.account_id, device.platform, device.language, device.last_seen_at = account_id, platform, language, utcnow()
    session.add(device)
    await session.flush()
    return device, False


async def unregister(session: AsyncSession, account_id: uuid.UUID, token: str) -> None:
    device = await repository.device_by_token(session, token)
    if device is None or device.account_id != account_id:
        raise DeviceNotFound()
    await session.delete(device)
    await session.flush()
