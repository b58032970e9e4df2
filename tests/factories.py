"""Factories: make accounts, OAuth clients and access tokens directly in the database."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

from auth.models import Account, OAuthClient
from auth.pairwise import subject_for
from auth.passwords import hasher_for
from auth.tokens import issue_access_token
from superapp.context import AppContext
from superapp.db import utcnow

_phones = itertools.count(1)
MOBILE_CLIENT_ID = "test-mobile-app"


class Factory:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    @staticmethod
    def next_phone() -> str:
        return f"+8491{next(_phones) % 10_000_000:07d}"

    async def account(
        self,
        *,
        phone: str | None = None,
        password: str | None = "Correct-horse-7",
        full_name: str = "Nguyễn Văn An",
        email: str | None = None,
        roles: list[str] | None = None,
        level: int = 1,
        agency_code: str | None = None,
        national_id: str | None = None,
        birth_date: date | None = None,
        district_code: str | None = None,
        status: str = "active",
    ) -> Account:
        hashed = await hasher_for(self.ctx.settings).hash(password) if password else None
        account = Account(
            phone=phone or self.next_phone(),
            email=email,
            full_name=full_name,
            password_hash=hashed,
            status=status,
            identity_level=level,
            roles=sorted({"citizen", *(roles or [])}),
            agency_code=agency_code,
            national_id=national_id,
            birth_date=birth_date,
            district_code=district_code,
            verified_at=utcnow() if level >= 1 else None,
            identity_verified_at=utcnow() if level >= 2 else None,
        )
        async with self.ctx.sessionmaker() as session:
            session.add(account)
            await session.commit()
        return account

    async def client(
        self,
        *,
        client_id: str | None = None,
        name: str = "Test client",
        first_party: bool = False,
        scopes: list[str] | None = None,
        grant_types: list[str] | None = None,
        redirect_uris: list[str] | None = None,
        client_type: str = "confidential",
        secret: str | None = "s3cret-" + "x" * 40,
        **extra,
    ) -> OAuthClient:
        import hashlib

        cid = client_id or f"client-{uuid.uuid4().hex[:12]}"
        async with self.ctx.sessionmaker() as session:
            existing = await session.get(OAuthClient, cid)
            if existing is not None:
                return existing
            client = OAuthClient(
                client_id=cid,
                name=name,
                client_type=client_type,
                secret_hash=hashlib.sha256(secret.encode()).hexdigest() if secret and client_type == "confidential" else None,
                token_endpoint_auth_method="client_secret_basic" if client_type == "confidential" else "none",
                first_party=first_party,
                scopes=scopes or [],
                grant_types=grant_types or ["authorization_code", "refresh_token"],
                redirect_uris=redirect_uris or [f"https://{cid}.example.vn/callback"],
                **extra,
            )
            session.add(client)
            await session.commit()
        return client

    async def mobile_client(self) -> OAuthClient:
        return await self.client(
            client_id=MOBILE_CLIENT_ID,
            name="Hanoi mobile app",
            first_party=True,
            client_type="public",
            scopes=["openid", "profile", "phone", "email", "offline_access", "identity", "feedback", "transit",
                    "health.read", "notifications", "miniapps"],
            redirect_uris=["vn.hanoi.superapp:/oauth/callback"],
        )

    async def token(
        self,
        account: Account | None = None,
        scopes: list[str] | tuple[str, ...] = (),
        *,
        client: OAuthClient | None = None,
        sid: str | None = None,
        gid: str | None = None,
    ) -> str:
        """An access token for ``account`` through ``client`` (default: the first-party mobile app).
        Without an account: a client-credentials token for ``client``."""
        client = client or await self.mobile_client()
        if account is None:
            issued = await issue_access_token(self.ctx, sub=client.client_id, client_id=client.client_id, scopes=list(scopes))
            return issued.token
        async with self.ctx.sessionmaker() as session:
            sub = await subject_for(session, self.ctx.settings.secrets["pairwise_secret"], client, account.id)
            await session.commit()
        issued = await issue_access_token(
            self.ctx, sub=sub, client_id=client.client_id, scopes=list(scopes), sid=sid, gid=gid
        )
        return issued.token

    async def headers(self, account: Account | None = None, scopes=(), **kw) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(account, scopes, **kw)}"}
