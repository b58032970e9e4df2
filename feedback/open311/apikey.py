"""Open311 ``api_key``: the secret of an OAuth client holding the ``open311`` scope.

Client secrets are 256-bit random strings stored as SHA-256 hex digests, so the key is found by
its digest (or through ``client_id`` when given) and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient
from feedback.open311.errors import InvalidApiKey, MissingParameter

SCOPE = "open311"
MAX_KEY_LENGTH = 512


async def client_for_api_key(session: AsyncSession, api_key: str | None, client_id: str | None = None) -> OAuthClient:
    if not api_key:
        raise MissingParameter(field="api_key")
    if len(api_key) > MAX_KEY_LENGTH:
        raise InvalidApiKey()
    digest = hashlib.sha256(api_key.encode()).hexdigest()
    if client_id:
        client = await session.get(OAuthClient, client_id[:64])
    else:
        client = (await session.exec(select(OAuthClient).where(OAuthClient.secret_hash == digest))).first()
    if client is None or not client.secret_hash or not hmac.compare_digest(client.secret_hash, digest):
        raise InvalidApiKey()
    if not client.is_active or SCOPE not in (client.scopes or []):
        raise InvalidApiKey()
    return client
