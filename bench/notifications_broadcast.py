"""Benchmark: an admin broadcast to N citizens on PostgreSQL, pushed into a fake FCM server,
then the latency of an inbox page on a large inbox table.

    .venv/bin/python bench/notifications_broadcast.py                 # 1,000,000 citizens
    .venv/bin/python bench/notifications_broadcast.py --accounts 100000 --device-ratio 0.1 \
        --inbox-rows 2000000

What it does:
1. creates a scratch database, the tables, and bulk-inserts ``--accounts`` active citizens
   (``INSERT … SELECT generate_series``) in ``--districts`` districts, a share
   ``--device-ratio`` of them with one push token;
2. starts the fake FCM server (``tests/notifications/fake_fcm.py``) in its own process and points
   the ``fcm`` backend (the real firebase-admin client) at it;
3. starts a broadcast to ``all`` and runs ``--workers`` outbox workers in this process until
   the broadcast is ``done``; prints the time, the counters and the pushes per second;
4. grows ``notification_inbox`` to ``--inbox-rows`` rows and measures a first inbox page
   (``limit=20``) for random citizens, through the repository query and through the HTTP
   endpoint (token check included): p50/p99 over ``--samples`` requests.

Needs PostgreSQL (``--database-url``, the server's admin database is used to create the scratch
one) and Redis (``--redis-url``). Timings go to stdout; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from bench.common import free_port, wait_for_port  # noqa: E402
from notifications.broadcast_repository import PG_UUID7_SQL as UUID7  # noqa: E402
from superapp.settings import Settings  # noqa: E402


async def create_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def seed(ctx, accounts: int, districts: int, device_ratio: float) -> None:
    """Citizens with UUIDv7 ids, as the application creates them (id order ≈ insertion order)."""
    async with ctx.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO accounts (id, phone, status, identity_level, roles, district_code, created_at, updated_at) "
                f"SELECT {UUID7}, '+849' || lpad(i::text, 8, '0'), 'active', 1, '[\"citizen\"]', "
                "'D' || (i % :districts), now(), now() FROM generate_series(1, :n) AS i"
            ),
            {"n": accounts, "districts": districts},
        )
        await conn.execute(
            text(
                "INSERT INTO notification_devices (id, account_id, token, platform, language, created_at, last_seen_at) "
                "SELECT gen_random_uuid(), id, 'bench-token-' || replace(id::text, '-', '') || repeat('x', 100), "
                "'android', 'vi', now(), now() FROM accounts WHERE random() < :ratio"
            ),
            {"ratio": device_ratio},
        )
        await conn.execute(text("ANALYZE"))


async def run_broadcast(ctx, workers: int) -> dict:
    from notifications.broadcast import start_broadcast
    from notifications.models import Broadcast
    from superapp import outbox
    from superapp.db import unit_of_work

    async with unit_of_work(ctx.sessionmaker) as session:
        created, _ = await start_broadcast(
            session,
            audience="all",
            category="broadcast",
            title={"vi": "Thông báo cắt nước", "en": "Water cut notice"},
            body={"vi": "Thứ Bảy 8h–12h, phường Hàng Bạc.", "en": "Saturday 8–12, Hang Bac ward."},
        )
    done = asyncio.Event()

    async def worker() -> None:
        while not done.is_set():
            jobs = await outbox.claim(ctx, batch=1)
            if not jobs:
                await asyncio.sleep(0.05)
            for job in jobs:
                await outbox.run_job(ctx, *job)

    async def watch() -> dict:
        while True:
            async with ctx.sessionmaker() as s:
                b = await s.get(Broadcast, created.id)
            if b.status == "done":
                done.set()
                return {"total": b.total, "sent": b.sent, "failed": b.failed}
            await asyncio.sleep(0.5)

    started = time.perf_counter()
    results = await asyncio.gather(watch(), *(worker() for _ in range(workers)))
    counters = results[0]
    counters["seconds"] = time.perf_counter() - started
    async with ctx.engine.connect() as conn:
        pushed = (
            await conn.execute(text("SELECT count(*) FROM notification_deliveries WHERE status = 'sent'"))
        ).scalar()
    counters["pushed"] = pushed
    return counters


async def grow_inbox(ctx, rows: int) -> None:
    async with ctx.engine.connect() as conn:
        have = (await conn.execute(text("SELECT count(*) FROM notification_inbox"))).scalar()
        notification_id = (await conn.execute(text("SELECT id FROM notifications LIMIT 1"))).scalar()
    missing = rows - have
    batch = 1_000_000
    while missing > 0:
        n = min(batch, missing)
        async with ctx.engine.begin() as conn:
            # a new message per batch, to every n-th slice of the citizens
            nid = uuid.uuid4()
            await conn.execute(
                text(
                    "INSERT INTO notifications (id, category, title, body, data, source, critical, created_at) "
                    "SELECT :nid, category, title, body, data, source, critical, now() FROM notifications WHERE id = :src"
                ),
                {"nid": nid, "src": notification_id},
            )
            await conn.execute(
                text(
                    "INSERT INTO notification_inbox (id, account_id, notification_id, created_at) "
                    f"SELECT {UUID7}, id, :nid, now() FROM accounts LIMIT :n"
                ),
                {"nid": nid, "n": n},
            )
        missing -= n
    # what autovacuum does on a live system: statistics and the visibility map
    async with ctx.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM (ANALYZE) notification_inbox"))


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


async def measure_inbox(ctx, app, samples: int) -> dict:
    import httpx

    from auth.models import Account
    from notifications import repository
    from tests.factories import Factory

    async with ctx.engine.connect() as conn:
        ids = [
            r[0] for r in (await conn.execute(text("SELECT id FROM accounts TABLESAMPLE SYSTEM (1) LIMIT 500"))).all()
        ]
    async with ctx.sessionmaker() as session:  # warm the caches once, as a running system is
        for account_id in ids:
            await repository.inbox_page(session, account_id, unread_only=False, before=None, limit=21)
    db_times: list[float] = []
    for _ in range(samples):
        account_id = random.choice(ids)
        async with ctx.sessionmaker() as session:
            t0 = time.perf_counter()
            await repository.inbox_page(session, account_id, unread_only=False, before=None, limit=21)
            db_times.append(time.perf_counter() - t0)
    factory = Factory(ctx)
    http_times: list[float] = []
    async with ctx.sessionmaker() as session:
        accounts = [await session.get(Account, i) for i in ids[:50]]
    headers = [await factory.headers(a, ["notifications"]) for a in accounts]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(samples):
            h = random.choice(headers)
            t0 = time.perf_counter()
            r = await client.get("/v1/notifications", headers=h)
            http_times.append(time.perf_counter() - t0)
            assert r.status_code == 200
    return {"db": percentiles(db_times), "http": percentiles(http_times)}


async def main(args: argparse.Namespace) -> None:
    from asgi_lifespan import LifespanManager

    from superapp.app import create_app
    from superapp.context import AppContext
    from superapp.metadata import load_metadata
    from tests.notifications.fake_fcm import write_service_account

    name = f"bench_notifications_{os.getpid()}"
    admin_url = args.database_url.replace("postgresql+asyncpg://", "postgresql://")
    await create_database(admin_url, name)
    port = free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.notifications.fake_fcm", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[1],
    )
    workdir = Path(tempfile.mkdtemp(prefix="bench-fcm-"))
    try:
        wait_for_port(port)
        settings = Settings(
            environment="test",
            data_dir=workdir,
            database_url=args.database_url.rsplit("/", 1)[0] + "/" + name,
            redis_url=args.redis_url,
            redis_prefix=f"bench{os.getpid()}:",
            secret_key="bench-secret-key-0123456789abcdef",
            pairwise_secret="bench-pairwise-secret-0123456789",
            push_backend=args.push_backend,
            fcm_credentials_file=str(
                write_service_account(workdir / "sa.json", "hanoi-superapp-bench", f"http://127.0.0.1:{port}/token")
            ),
            fcm_project_id="hanoi-superapp-bench",
            fcm_endpoint=f"http://127.0.0.1:{port}",
            workers_enabled=False,
            log_json=False,
            log_level="WARNING",
        )
        load_metadata(miniapps=[])
        ctx = AppContext.build(settings)
        async with ctx.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)
        app = create_app(settings, ctx=ctx, miniapps=[], run_background_workers=False)
        async with LifespanManager(app):
            t0 = time.perf_counter()
            await seed(ctx, args.accounts, args.districts, args.device_ratio)
            async with ctx.engine.connect() as conn:
                devices = (await conn.execute(text("SELECT count(*) FROM notification_devices"))).scalar()
            print(f"seeded {args.accounts:,} citizens, {devices:,} devices in {time.perf_counter() - t0:.1f} s")
            result = await run_broadcast(ctx, args.workers)
            secs = result["seconds"]
            print(
                f"broadcast to all: {secs:.1f} s; total {result['total']:,}, sent {result['sent']:,}, "
                f"failed {result['failed']:,}; pushes accepted by FCM {result['pushed']:,} "
                f"({result['pushed'] / secs:,.0f}/s); recipients {result['total'] / secs:,.0f}/s"
            )
            t0 = time.perf_counter()
            await grow_inbox(ctx, args.inbox_rows)
            print(f"inbox grown to {args.inbox_rows:,} rows in {time.perf_counter() - t0:.1f} s")
            timing = await measure_inbox(ctx, app, args.samples)
            print(
                f"inbox first page (limit 20), {args.samples} samples: "
                f"query p50 {timing['db'][0]:.2f} ms p99 {timing['db'][1]:.2f} ms; "
                f"HTTP p50 {timing['http'][0]:.2f} ms p99 {timing['http'][1]:.2f} ms"
            )
        await ctx.close()
    finally:
        fake.terminate()
        fake.wait(timeout=10)
        if not args.keep:
            await drop_database(admin_url, name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--districts", type=int, default=30)
    parser.add_argument("--device-ratio", type=float, default=0.05)
    parser.add_argument("--push-backend", choices=["fcm", "log"], default="fcm")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--inbox-rows", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    asyncio.run(main(parser.parse_args()))
