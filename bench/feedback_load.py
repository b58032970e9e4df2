#!/usr/bin/env python3
"""Feedback load benchmark: bulk-generated reports in PostgreSQL, then open-loop load.

    .venv/bin/python bench/feedback_load.py \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/feedback_bench \\
        --redis-url redis://127.0.0.1:6379/15 --reports 1000000 --rps 200 --duration 20

Steps: create the bench database and tables (``create_all``), seed areas and categories,
bulk-load reports with ``COPY`` until ``--reports`` exist, ``ANALYZE``; create citizens and
tokens; start ``uvicorn`` (``--workers``) on the app; then send requests at a fixed rate
(open loop: a slow answer does not slow the sender) and report latency percentiles for

- ``POST /v1/feedback/reports`` (multipart, no photo) — goal p99 < 50 ms at 200 rps;
- ``GET /v1/feedback/public?bbox=…`` (a ~1 km box somewhere in the service area) — goal
  p99 < 30 ms.

Use ``--reports 100000`` for a quick run. The database is reused between runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# (weight, south, west, north, east) of the seeded districts.
BOXES = [
    (3, 21.017, 105.842, 21.045, 105.870),
    (3, 21.025, 105.805, 21.050, 105.842),
    (4, 20.995, 105.805, 21.025, 105.842),
    (3, 20.990, 105.842, 21.017, 105.870),
    (3, 21.005, 105.770, 21.050, 105.805),
    (2, 21.050, 105.805, 21.090, 105.845),
]
STATUSES = [
    ("submitted", 10),
    ("rejected", 5),
    ("hidden", 3),
    ("duplicate", 2),
    ("assigned", 15),
    ("in_progress", 10),
    ("resolved", 15),
    ("closed", 40),
]
PUBLIC = {"approved", "assigned", "in_progress", "resolved", "closed"}
CATEGORIES = [
    ("traffic.road_damage", "HN-GTVT", "normal"),
    ("traffic.signal", "HN-GTVT", "urgent"),
    ("environment.waste", "HN-TNMT", "normal"),
    ("environment.pollution", "HN-TNMT", "complex"),
    ("urban_order.sidewalk", "HN-DTHT", "normal"),
    ("lighting.streetlight", "HN-DTHT", "normal"),
    ("construction.violation", "HN-XD", "complex"),
    ("drainage.flooding", "HN-XD", "urgent"),
    ("trees.fallen", "HN-XD", "urgent"),
]
SECRET_KEY = "bench-secret-key-0123456789abcdef"
PAIRWISE = "bench-pairwise-secret-0123456789"


def uuid7_at(ms: int) -> uuid.UUID:
    rand = secrets.randbits(74)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def code_for(n: int) -> str:
    chars = []
    for _ in range(6):
        n, r = divmod(n, 32)
        chars.append(CROCKFORD[r])
    return "HN-BNCH-" + "".join(reversed(chars))[:6]


def random_point(rng: random.Random) -> tuple[float, float]:
    _, s, w, n, e = rng.choices(BOXES, weights=[b[0] for b in BOXES])[0]
    return rng.uniform(s, n), rng.uniform(w, e)


def settings_env(args) -> dict[str, str]:
    return {
        "SUPERAPP_DATABASE_URL": args.database_url,
        "SUPERAPP_REDIS_URL": args.redis_url,
        "SUPERAPP_REDIS_PREFIX": "bench:",
        "SUPERAPP_SECRET_KEY": SECRET_KEY,
        "SUPERAPP_PAIRWISE_SECRET": PAIRWISE,
        "SUPERAPP_ISSUER": f"http://127.0.0.1:{args.port}",
        "SUPERAPP_WORKERS_ENABLED": "false",
        "SUPERAPP_LOG_LEVEL": "WARNING",
        "SUPERAPP_DATA_DIR": str(Path(args.data_dir).resolve()),
        "SUPERAPP_FEEDBACK_REPORT_RATE_LIMIT": "1000000/hour",
    }


def app_factory():
    """Entry point for uvicorn (``--factory``): the app with the core modules, no mini-apps."""
    from superapp.app import create_app
    from superapp.middleware import configure_logging
    from superapp.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings, miniapps=[], run_background_workers=False)


async def prepare_database(args) -> None:
    import asyncpg
    from sqlmodel import SQLModel

    from superapp.metadata import load_metadata

    base, name = args.database_url.rsplit("/", 1)
    admin = await asyncpg.connect(base.replace("postgresql+asyncpg://", "postgresql://") + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    from sqlalchemy.ext.asyncio import create_async_engine

    load_metadata(miniapps=[])
    engine = create_async_engine(args.database_url)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    await engine.dispose()


async def seed_and_load(args, ctx) -> int:
    import asyncpg

    from feedback.geo import cell_of
    from feedback.seed import seed_reference_data
    from superapp.db import unit_of_work

    async with unit_of_work(ctx.sessionmaker) as session:
        await seed_reference_data(session)
    conn = await asyncpg.connect(args.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        have = await conn.fetchval("SELECT count(*) FROM feedback_reports")
        missing = max(0, args.reports - have)
        rng = random.Random(have)
        now = datetime.now(UTC)
        columns = [
            "id",
            "tracking_code",
            "reporter_id",
            "source",
            "category_code",
            "description",
            "latitude",
            "longitude",
            "cell",
            "address",
            "district_code",
            "ward_code",
            "agency_code",
            "severity",
            "status",
            "is_public",
            "created_at",
            "updated_at",
            "ack_due_at",
            "due_at",
            "resolved_at",
        ]
        statuses = [s for s, _ in STATUSES]
        weights = [w for _, w in STATUSES]
        started = time.perf_counter()
        for chunk_start in range(0, missing, 50_000):
            rows = []
            for i in range(chunk_start, min(missing, chunk_start + 50_000)):
                created = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
                status = rng.choices(statuses, weights)[0]
                category, agency, severity = rng.choice(CATEGORIES)
                lat, lon = random_point(rng)
                rows.append(
                    (
                        uuid7_at(int(created.timestamp() * 1000)),
                        code_for(have + i),
                        uuid.uuid4(),
                        "app",
                        category,
                        "Phản ánh mẫu cho bài đo tải: ổ gà, rác, đèn hỏng.",
                        lat,
                        lon,
                        cell_of(lat, lon),
                        None,
                        None,
                        None,
                        agency,
                        severity,
                        status,
                        status in PUBLIC,
                        created,
                        created,
                        created + timedelta(hours=8),
                        created + timedelta(days=7),
                        created + timedelta(days=2) if status in ("resolved", "closed") else None,
                    )
                )
            await conn.copy_records_to_table("feedback_reports", records=rows, columns=columns)
            print(f"  loaded {chunk_start + len(rows):,}/{missing:,} reports", flush=True)
        if missing:
            print(f"bulk load: {missing:,} reports in {time.perf_counter() - started:.1f} s", flush=True)
        await conn.execute("VACUUM ANALYZE feedback_reports")
        return await conn.fetchval("SELECT count(*) FROM feedback_reports")
    finally:
        await conn.close()


async def make_tokens(ctx, n: int) -> list[str]:
    from auth.models import Account, OAuthClient
    from auth.tokens import issue_access_token
    from superapp.db import unit_of_work

    client_id = "bench-mobile"
    accounts = []
    async with unit_of_work(ctx.sessionmaker) as session:
        if await session.get(OAuthClient, client_id) is None:
            session.add(
                OAuthClient(
                    client_id=client_id,
                    name="Bench",
                    client_type="public",
                    first_party=True,
                    scopes=["feedback"],
                    redirect_uris=["vn.hanoi.bench:/cb"],
                )
            )
        for _ in range(n):
            account = Account(
                phone=f"+8498{secrets.randbelow(10**7):07d}", full_name="Bench", status="active", identity_level=1
            )
            session.add(account)
            accounts.append(account.id)
    return [
        (await issue_access_token(ctx, sub=str(a), client_id=client_id, scopes=["feedback"])).token for a in accounts
    ]


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "n": len(ordered),
        "p50": pick(0.50),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "max": round(ordered[-1], 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


async def open_loop(name: str, rps: float, duration: float, send) -> dict:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    interval = 1.0 / rps
    total = int(rps * duration)

    async def one(client, i: int) -> None:
        t0 = time.perf_counter()
        try:
            r = await send(client, i)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        except httpx.HTTPError:
            statuses[0] = statuses.get(0, 0) + 1
        latencies.append((time.perf_counter() - t0) * 1000)

    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=BASE_URL, limits=limits, timeout=30) as client:
        tasks = []
        start = time.perf_counter()
        for i in range(total):
            delay = start + i * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(client, i)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    result = {
        "name": name,
        "target_rps": rps,
        "achieved_rps": round(total / elapsed, 1),
        "statuses": statuses,
        "latency_ms": percentiles(latencies),
    }
    print(json.dumps(result), flush=True)
    return result


BASE_URL = ""


async def run_load(args, tokens: list[str]) -> list[dict]:
    rng = random.Random(7)

    async def submit(client, i: int):
        lat, lon = random_point(rng)
        category = rng.choice(CATEGORIES)[0]
        data = {
            "category": category,
            "description": "Bài đo tải: mặt đường hư hỏng, cần sửa.",
            "latitude": f"{lat:.6f}",
            "longitude": f"{lon:.6f}",
        }
        return await client.post(
            "/v1/feedback/reports",
            data=data,
            files={"_": ("", b"", "text/plain")},
            headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"},
        )

    async def feed(client, i: int):
        lat, lon = random_point(rng)
        bbox = f"{lon - 0.005:.5f},{lat - 0.0045:.5f},{lon + 0.005:.5f},{lat + 0.0045:.5f}"
        return await client.get(f"/v1/feedback/public?bbox={bbox}&limit=20")

    async def warm(client, i: int):
        return await client.get("/v1/feedback/public?limit=20")

    await open_loop("warm-up", 20, 3, warm)
    results = [await open_loop("public bbox feed", args.rps, args.duration, feed)]
    results.append(await open_loop("submit report", args.rps, args.duration, submit))
    return results


def start_server(args) -> subprocess.Popen:
    env = {**os.environ, **settings_env(args), "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.feedback_load:app_factory",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    log = open(Path(args.data_dir) / "server.log", "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


async def wait_ready(port: int) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        for _ in range(120):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError("server did not start")


async def main() -> None:
    global BASE_URL
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/feedback_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--rps", type=float, default=200)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--data-dir", default=str(ROOT / ".superapp" / "bench"))
    parser.add_argument("--output", help="write the results as JSON here")
    args = parser.parse_args()
    os.environ.update(settings_env(args))
    BASE_URL = f"http://127.0.0.1:{args.port}"

    from superapp.context import AppContext
    from superapp.settings import Settings

    await prepare_database(args)
    ctx = AppContext.build(Settings())
    try:
        from auth.keys import ensure_keys

        await ensure_keys(ctx)
        count = await seed_and_load(args, ctx)
        print(f"reports in the database: {count:,}", flush=True)
        tokens = await make_tokens(ctx, args.citizens)
    finally:
        await ctx.close()
    server = start_server(args)
    try:
        await wait_ready(args.port)
        results = await run_load(args, tokens)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.output:
        Path(args.output).write_text(
            json.dumps({"reports": count, "workers": args.workers, "results": results}, indent=2)
        )


if __name__ == "__main__":
    asyncio.run(main())
