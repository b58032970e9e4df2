"""Console fixtures: staff accounts and a signed-in console client (httpx against the app).

``sign_in`` walks the console's own side of the flow for real — ``/admin/login`` (PKCE, state,
nonce), the provider's token endpoint, ID-token checks, ``/v1/me`` — and stands in only for the
provider's browser login page by minting the authorization code the way that page does
(``auth.oidc.codes.create_authorization_code`` for the signed-in account).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from auth.models import Account, OAuthClient
from superapp.console.registration import CONSOLE_CLIENT_ID
from tests.conftest import ISSUER

HTML = {"Accept": "text/html"}


def csrf_of(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


class ConsoleBrowser:
    """An httpx client with a cookie jar, acting like a staff member's browser."""

    def __init__(self, app, ctx) -> None:
        self.app = app
        self.ctx = ctx
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ISSUER, headers=HTML)

    async def start_login(self, next_path: str = "/admin/") -> dict[str, str]:
        r = await self.http.get("/admin/login", params={"next": next_path})
        assert r.status_code == 303, r.text
        query = parse_qs(urlsplit(r.headers["location"]).query)
        return {k: v[0] for k, v in query.items()}

    async def provider_code(self, account: Account, params: dict[str, str]) -> str:
        from auth.oidc.codes import create_authorization_code

        async with self.ctx.sessionmaker() as session:
            client = await session.get(OAuthClient, CONSOLE_CLIENT_ID)
            code = await create_authorization_code(
                self.ctx, session, client=client, account_id=account.id, scopes=params["scope"].split(),
                code_challenge=params["code_challenge"], code_challenge_method="S256",
                redirect_uri=params["redirect_uri"], nonce=params["nonce"],
            )
            await session.commit()
        return code

    async def sign_in(self, account: Account, next_path: str = "/admin/") -> httpx.Response:
        params = await self.start_login(next_path)
        code = await self.provider_code(account, params)
        return await self.http.get("/admin/callback", params={"code": code, "state": params["state"], "iss": ISSUER})

    async def csrf(self, path: str = "/admin/") -> str:
        r = await self.http.get(path)
        assert r.status_code == 200, r.text
        return csrf_of(r.text)

    async def aclose(self) -> None:
        await self.http.aclose()


@pytest.fixture
def miniapps() -> list | None:
    """No built-in mini-apps unless a test module asks for them (faster start)."""
    return []


@pytest.fixture
async def browser(app, ctx) -> AsyncIterator[ConsoleBrowser]:
    b = ConsoleBrowser(app, ctx)
    yield b
    await b.aclose()


@pytest.fixture
async def admin(factory) -> Account:
    return await factory.account(full_name="Trần Quản Trị", roles=["admin"])


@pytest.fixture
async def moderator(factory) -> Account:
    return await factory.account(full_name="Lê Kiểm Duyệt", roles=["moderator"])


@pytest.fixture
async def officer(factory) -> Account:
    return await factory.account(full_name="Phạm Cán Bộ", roles=["agency_officer"], agency_code="HN-URBAN")


@pytest.fixture
async def citizen(factory) -> Account:
    return await factory.account(full_name="Nguyễn Thị Dân")


# Feedback ------------------------------------------------------------------------------------
HOAN_KIEM_LAKE = (21.0288, 105.8525)
HANG_BAC = (21.0355, 105.8520)


def png_bytes(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (48, 32), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
async def feedback_ready(ctx, app):
    """The feedback module's areas, agencies and categories."""
    from feedback import geo
    from feedback.seed import seed_reference_data

    async with ctx.sessionmaker() as session:
        await seed_reference_data(session)
        await session.commit()
    geo.invalidate(ctx)
    return ctx


@pytest.fixture
def submit_report(client, factory, feedback_ready):
    """A citizen files a report through ``POST /v1/feedback/reports``; returns its id."""

    async def submit(reporter: Account, *, point=HOAN_KIEM_LAKE, photo: bool = True,
                     description: str = "Ổ gà lớn giữa đường Đinh Tiên Hoàng, xe máy dễ ngã.") -> str:
        headers = await factory.headers(reporter, ["feedback"])
        data = {"category": "traffic.road_damage", "description": description,
                "latitude": str(point[0]), "longitude": str(point[1]), "address": "Đinh Tiên Hoàng"}
        files = [("photos[]", ("p.png", png_bytes(), "image/png"))] if photo else None
        r = await client.post("/v1/feedback/reports", data=data, files=files, headers=headers)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    return submit


@pytest.fixture
def report_status(client, factory):
    async def status(report_id: str, viewer: Account) -> dict:
        headers = await factory.headers(viewer, ["feedback"])
        r = await client.get(f"/v1/feedback/reports/{report_id}", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    return status
