"""End to end: the console in headless Chromium against a live server.

Signs in through the provider's own login page, approves a report as a moderator, resolves one as
an agency officer and publishes a mini-app as an admin; a screenshot of each page goes to
``test-artifacts/console/``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import REDIS_URL
from tests.console.conftest import HANG_BAC, HOAN_KIEM_LAKE, png_bytes
from tests.console.live_server import LiveServer, e2e_settings, free_port, prepare_database, run

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
PASSWORD = "Correct-horse-7"
TIMEOUT_MS = 15_000


@dataclass
class World:
    server: LiveServer
    phones: dict[str, str]
    accounts: dict[str, object]
    report_to_moderate: str
    report_to_resolve: str
    miniapp_id: str
    tokens: dict[str, str]

    def api(self, who: str, method: str, path: str, **kw) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.request(method, self.server.url + path, headers=headers, timeout=30, **kw)


async def _setup(settings, server_url: str) -> dict:
    from feedback import geo
    from feedback.seed import seed_reference_data
    from superapp.context import AppContext
    from tests.factories import Factory

    ctx = AppContext.build(settings)
    try:
        async with ctx.sessionmaker() as session:
            await seed_reference_data(session)
            await session.commit()
        geo.invalidate(ctx)
        factory = Factory(ctx)
        people = {
            "admin": await factory.account(full_name="Trần Quản Trị", roles=["admin"]),
            "moderator": await factory.account(full_name="Lê Kiểm Duyệt", roles=["moderator"]),
            "officer": await factory.account(full_name="Đỗ Giao Thông", roles=["agency_officer"], agency_code="HN-GTVT"),
            "citizen": await factory.account(full_name="Nguyễn Thị Dân"),
            "developer": await factory.account(full_name="Vũ Lập Trình", roles=["developer"]),
        }
        tokens = {name: await factory.token(acc, ["feedback", "miniapps"]) for name, acc in people.items()}
        return {"people": people, "tokens": tokens}
    finally:
        await ctx.close()


def _submit(server_url: str, token: str, point: tuple[float, float], description: str) -> str:
    r = httpx.post(
        server_url + "/v1/feedback/reports",
        data={"category": "traffic.road_damage", "description": description, "latitude": str(point[0]),
              "longitude": str(point[1]), "address": "Đinh Tiên Hoàng"},
        files=[("photos[]", ("hole.png", png_bytes(), "image/png"))],
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture(scope="module")
def world(tmp_path_factory, pg_database_url) -> World:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("Python playwright is not installed")
    port = free_port()
    settings = e2e_settings(tmp_path_factory.mktemp("console-e2e"), port, pg_database_url, REDIS_URL,
                            f"e2e{uuid.uuid4().hex[:8]}:")
    run(prepare_database(settings))
    server = LiveServer(settings)
    server.start()
    try:
        made = run(_setup(settings, server.url))
        people, tokens = made["people"], made["tokens"]
        to_moderate = _submit(server.url, tokens["citizen"], HOAN_KIEM_LAKE, "Ổ gà lớn giữa đường, xe máy dễ ngã.")
        to_resolve = _submit(server.url, tokens["citizen"], HANG_BAC, "Nắp cống bị vỡ trên phố Hàng Bạc, rất nguy hiểm.")
        w = World(server, {k: v.phone for k, v in people.items()}, people, to_moderate, to_resolve, "", tokens)
        approved = w.api("moderator", "POST", f"/v1/admin/feedback/reports/{to_resolve}/moderate", json={"action": "approve"})
        assert approved.status_code == 200, approved.text
        created = w.api("developer", "POST", "/v1/developer/miniapps", json={
            "name": {"vi": "Gửi xe Hồ Gươm", "en": "Hoan Kiem parking"},
            "description": {"vi": "Tìm và trả tiền chỗ gửi xe.", "en": "Find and pay for parking."},
            "home_url": "https://parking.example.vn/", "redirect_uris": ["https://parking.example.vn/callback"],
            "scopes": ["openid", "profile"],
        })
        assert created.status_code == 201, created.text
        w.miniapp_id = created.json()["id"]
        submitted = w.api("developer", "POST", f"/v1/developer/miniapps/{w.miniapp_id}/submit")
        assert submitted.status_code == 200, submitted.text
        yield w
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium(world):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, world):
    context = chromium.new_context(base_url=world.server.url, locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    yield pg
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, world: World, who: str, start: str = "/admin/") -> None:
    """Open a console page, get sent to the provider's login page, sign in, come back."""
    page.goto(start)
    page.wait_for_selector('input[name="username"]')
    shot(page, f"{who}-01-provider-login")
    page.fill('input[name="username"]', world.phones[who])
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form:has(input[name="password"]) [type="submit"]').first.click()
    page.wait_for_url(re.compile(r"/admin/"))
    assert page.locator(".who").inner_text().startswith(world.accounts[who].full_name)


class TestModeratorInBrowser:
    def test_sign_in_and_approve_a_report(self, page, world):
        sign_in(page, world, "moderator")
        shot(page, "moderator-02-home")
        page.click('a[data-section="moderation"]')
        article = page.locator(f'article[data-id="{world.report_to_moderate}"]')
        article.wait_for()
        shot(page, "moderator-03-queue")
        article.locator('button[name="approve"]').click()
        page.wait_for_selector(".flash-ok")
        shot(page, "moderator-04-approved")
        status = world.api("moderator", "GET", f"/v1/feedback/reports/{world.report_to_moderate}").json()["status"]
        assert status in ("approved", "assigned")

    def test_report_detail_with_map_and_photos(self, page, world):
        sign_in(page, world, "moderator", start=f"/admin/moderation/{world.report_to_resolve}")
        page.wait_for_selector("svg.map circle")
        image = page.locator(".photos img").first
        image.wait_for()
        assert page.evaluate("img => img.complete && img.naturalWidth > 0", image.element_handle())
        shot(page, "moderator-05-report-detail")


class TestOfficerInBrowser:
    def test_resolve_a_report(self, page, world):
        sign_in(page, world, "officer")
        page.click('a[data-section="agency"]')
        article = page.locator(f'article[data-id="{world.report_to_resolve}"]')
        article.wait_for()
        shot(page, "officer-02-agency-queue")
        article.locator('select[name="status"]').select_option("resolved")
        article.locator('input[name="note"]').fill("Đã thay nắp cống mới.")
        article.locator('input[name="photos"]').set_input_files(
            files=[{"name": "after.png", "mimeType": "image/png", "buffer": png_bytes((40, 150, 70))}]
        )
        article.locator('button[name="transition"]').click()
        page.wait_for_selector(".flash-ok")
        shot(page, "officer-03-resolved")
        detail = world.api("officer", "GET", f"/v1/feedback/reports/{world.report_to_resolve}").json()
        assert detail["status"] == "resolved" and len(detail["resolution_photos"]) == 1
        page.goto(f"/admin/agency/{world.report_to_resolve}")
        page.wait_for_selector("svg.map circle")
        assert page.locator(f'article[data-id="{world.report_to_resolve}"]').get_attribute("data-status") == "resolved"
        shot(page, "officer-04-report")

    def test_moderation_is_refused(self, page, world):
        sign_in(page, world, "officer")
        assert page.locator('a[data-section="moderation"]').count() == 0
        response = page.goto("/admin/moderation")
        assert response.status == 403
        assert page.locator('[data-code="console.forbidden"]').count() == 1
        shot(page, "officer-05-forbidden")


class TestAdminInBrowser:
    def test_approve_a_mini_app(self, page, world):
        sign_in(page, world, "admin")
        page.click('a[data-section="miniapps"]')
        card = page.locator(f'article[data-id="{world.miniapp_id}"]')
        card.wait_for()
        assert "https://parking.example.vn/callback" in card.inner_text()
        shot(page, "admin-02-miniapp-review")
        card.locator('button[name="approve"]').click()
        page.wait_for_selector(".flash-ok")
        shot(page, "admin-03-miniapp-approved")
        app = world.api("admin", "GET", f"/v1/admin/miniapps/{world.miniapp_id}").json()
        assert app["status"] == "published"

    def test_broadcast_page_polls_progress_until_done(self, page, world):
        sign_in(page, world, "admin")
        page.click('a[data-section="broadcasts"]')
        page.fill('input[name="title_vi"]', "Cắt nước")
        page.fill('textarea[name="body_vi"]', "Quận Hoàn Kiếm cắt nước từ 8 đến 12 giờ.")
        with page.expect_response(re.compile(r"/admin/broadcasts/[0-9a-f-]{36}/status$")) as polled:
            page.click('button[name="send"]')
        assert set(polled.value.json()) == {"status", "total", "sent", "failed"}  # the page polls
        from playwright.sync_api import expect

        expect(page.locator('[data-field="status"]')).to_have_text("done", timeout=TIMEOUT_MS)
        assert int(page.locator('[data-field="sent"]').inner_text()) >= 5  # the five people of this world
        shot(page, "admin-04-broadcast-done")

    def test_other_pages_in_english(self, page, world):
        sign_in(page, world, "admin")
        page.click('a[lang="en"]')
        page.wait_for_selector('html[lang="en"]')
        for name in ("stats", "broadcasts", "transit"):
            page.click(f'a[data-section="{name}"]')
            page.wait_for_selector("main h1")
            shot(page, f"admin-04-{name}-en")
        page.click('button[name="logout"]')
        page.wait_for_load_state()
        shot(page, "admin-05-logged-out")
        page.goto("/admin/")
        page.wait_for_selector('input[name="username"]')


def teardown_module(module) -> None:
    if not any(ARTIFACTS.glob("*.png")) and ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
