"""Online validation latency: ``POST /v1/transit/validate`` at a fixed arrival rate.

    .venv/bin/python bench/transit_validate.py [--rate 500] [--seconds 10]
    .venv/bin/python bench/transit_validate.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        --redis redis://127.0.0.1:6379/0 --workers 2

Starts the app under uvicorn on 127.0.0.1 (one process, workers off), creates a validator
client and ``rate × seconds`` tickets (half single rides, half day passes), signs one payload
per ticket, then sends one validation per ticket on an open-loop schedule (request i leaves at
``i / rate`` seconds whatever the previous answers took; the number of requests is bounded).
Latency is measured from the scheduled departure, so queueing behind a slow answer counts.
The database is a fresh SQLite file in a temporary directory, or with ``--pg`` a database
created for the run on that server and dropped afterwards; ``--redis`` runs keys under a
prefix of their own, deleted afterwards. More than one uvicorn worker needs PostgreSQL and
Redis (the embedded stand-ins live in one process).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def prepare(count: int) -> tuple[str, Callable[[], list[str]]]:
    """Tables, keys, products, a validator token and ``count`` tickets; returns the token and a
    function that signs one payload per ticket for the current step (called just before the run,
    as payloads live one to two steps)."""
    from sqlmodel import SQLModel

    from auth.keys import ensure_keys as ensure_token_keys
    from auth.models import Account, OAuthClient
    from auth.tokens import issue_access_token
    from miniapps.transit.config import now_utc
    from miniapps.transit.keys import ensure_keys, get_keyring
    from miniapps.transit.models import TransitTicket
    from miniapps.transit.payload import issuer_payload, step_of
    from miniapps.transit.seed import seed
    from miniapps.transit.wallet import claims_for
    from superapp.context import AppContext
    from superapp.db import unit_of_work
    from superapp.ids import new_id
    from superapp.metadata import load_metadata
    from superapp.settings import Settings

    load_metadata()
    ctx = AppContext.build(Settings())
    try:
        async with ctx.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)
        await ensure_token_keys(ctx)
        await ensure_keys(ctx)
        client_id = f"bench-validator-{new_id().hex[:8]}"
        async with unit_of_work(ctx.sessionmaker) as session:
            await seed(ctx, session)
            account = Account(phone=f"+8490{new_id().int % 10**7:07d}", status="active", identity_level=1)
            session.add(account)
            session.add(OAuthClient(client_id=client_id, name="bench validator", scopes=["transit.validate"],
                                    grant_types=["client_credentials"]))
        token = (await issue_access_token(ctx, sub=client_id, client_id=client_id, scopes=["transit.validate"])).token
        now = now_utc(ctx)
        tickets = []
        async with unit_of_work(ctx.sessionmaker) as session:
            for i in range(count):
                single = i % 2 == 0
                ticket = TransitTicket(
                    account_id=account.id, order_id=new_id(), product_code="single_ride" if single else "day_pass",
                    product_number=1 if single else 2, kind="single_ride" if single else "day_pass",
                    valid_from=now - timedelta(minutes=1), valid_until=now + timedelta(days=1),
                )
                session.add(ticket)
                tickets.append(ticket)
        kid, signer = (await get_keyring(ctx)).require_signer()
        claims = [claims_for(t, kid, 30) for t in tickets]

        def sign_all() -> list[str]:
            step = step_of(time.time(), 30)
            return [issuer_payload(c, step, signer) for c in claims]

        return token, sign_all
    finally:
        await ctx.close()


async def drive(base: str, token: str, payloads: list[str], rate: float) -> tuple[list[float], dict[str, int]]:
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        for p in payloads[:50]:  # warm-up (connections, caches); not measured
            await client.post("/v1/transit/validate", json={"payload": p, "validator_id": "BENCH-WARM"}, headers=headers)
        measured = payloads[50:]
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.5

        async def one(i: int, payload: str) -> None:
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            try:
                r = await client.post(
                    "/v1/transit/validate", json={"payload": payload, "validator_id": f"BENCH-{i % 64}"}, headers=headers
                )
                if r.status_code == 200:
                    body = r.json()
                    key = body["result"] + (f":{body['reason']}" if body.get("reason") else "")
                else:
                    key = str(r.status_code)
            except httpx.HTTPError as exc:
                key = type(exc).__name__
            latencies.append(loop.time() - due)
            outcomes[key] = outcomes.get(key, 0) + 1

        await asyncio.gather(*(one(i, p) for i, p in enumerate(measured)))
    return latencies, outcomes


async def admin_sql(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def drop_keys(url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:
        keys = [k async for k in redis.scan_iter(match=prefix + "*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, from /proc (Linux)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, IndexError, ValueError):
        return total
    return total + sum(cpu_seconds(int(c)) for c in children)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pg", help="PostgreSQL server URL (a database is created for the run)")
    parser.add_argument("--redis", help="Redis URL")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.workers > 1 and not (args.pg and args.redis):
        parser.error("--workers > 1 needs --pg and --redis")
    count = int(args.rate * args.seconds) + 50
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SUPERAPP_DATA_DIR": tmp,
            "SUPERAPP_ISSUER": f"http://127.0.0.1:{port}",
            "SUPERAPP_SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "SUPERAPP_PAIRWISE_SECRET": "bench-pairwise-secret-0123456789",
            "SUPERAPP_WORKERS_ENABLED": "false",
            "SUPERAPP_ENVIRONMENT": "test",
            "SUPERAPP_REDIS_PREFIX": f"bench-transit-{port}:",
        }
        database = None
        if args.pg:
            database = f"bench_transit_{port}"
            asyncio.run(admin_sql(args.pg, f'CREATE DATABASE "{database}"'))
            env["SUPERAPP_DATABASE_URL"] = args.pg.rsplit("/", 1)[0] + "/" + database
        if args.redis:
            env["SUPERAPP_REDIS_URL"] = args.redis
        os.environ.update(env)
        token, sign_all = asyncio.run(prepare(count))
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "superapp.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--no-access-log", "--workers", str(args.workers)],
            cwd=ROOT, env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            cpu_before = cpu_seconds(server.pid)
            latencies, outcomes = asyncio.run(drive(base, token, sign_all(), args.rate))
            cpu_used = cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=15)
            if database:
                asyncio.run(admin_sql(args.pg, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            if args.redis:
                asyncio.run(drop_keys(args.redis, env["SUPERAPP_REDIS_PREFIX"]))
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100)
    backend = "PostgreSQL" if args.pg else "SQLite"
    redis = "Redis" if args.redis else "in-process Redis stand-in"
    print(f"{backend} + {redis}, {args.workers} worker(s): {len(lat)} validations at {args.rate:.0f}/s")
    print(f"latency ms: p50 {q[49] * 1000:.1f}  p95 {q[94] * 1000:.1f}  p99 {q[98] * 1000:.1f}  max {lat[-1] * 1000:.1f}")
    print(f"outcomes: {outcomes}")
    per_request = cpu_used / (len(lat) + 50) * 1000
    print(f"server CPU: {per_request:.2f} ms per validation (≈ {1000 / per_request:.0f} validations/s per core)")


if __name__ == "__main__":
    main()
