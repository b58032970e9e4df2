"""Our side of the identity benchmark: a fresh PostgreSQL database, ``superapp db upgrade``,
the benchmark data (``bench/ours_setup.py``), then uvicorn (uvloop, httptools, one process,
background workers off) pinned to one core, and refresh-token chains obtained the way the
mobile app gets them (password sign-in at the authorization challenge endpoint, then the code
at the token endpoint)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import (
    PYTHON,
    ROOT,
    create_database,
    drop_database,
    drop_redis_prefix,
    free_port,
    start,
    stop,
    wait_for_port,
)
from bench.load import pkce_pair

TOKEN_PATH = "/oauth/token"
CHALLENGE_PATH = "/oauth/authorize-challenge"


@dataclass
class Ours:
    base: str
    process: subprocess.Popen
    data: dict
    chains: list[dict]


def _env(port: int, workdir: Path, database_url: str, redis_url: str, prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "SUPERAPP_DATA_DIR": str(workdir),
        "SUPERAPP_DATABASE_URL": database_url,
        "SUPERAPP_REDIS_URL": redis_url,
        "SUPERAPP_REDIS_PREFIX": prefix,
        "SUPERAPP_ISSUER": f"http://127.0.0.1:{port}",
        "SUPERAPP_SECRET_KEY": "bench-secret-key-0123456789abcdef0123",
        "SUPERAPP_PAIRWISE_SECRET": "bench-pairwise-secret-0123456789abcdef",
        "SUPERAPP_WORKERS_ENABLED": "false",
        "SUPERAPP_ENVIRONMENT": "test",
        "SUPERAPP_LOG_LEVEL": "WARNING",
    }


def sign_in_chains(base: str, data: dict, count: int) -> list[dict]:
    """``count`` refresh tokens, one per citizen, through the challenge endpoint and the code grant."""
    chains = []
    with httpx.Client(base_url=base, timeout=30) as http:
        for username in data["usernames"][:count]:
            verifier, challenge = pkce_pair()
            r = http.post(CHALLENGE_PATH, data={
                "client_id": data["mobile_client_id"], "username": username, "password": data["password"],
                "scope": "openid offline_access", "code_challenge": challenge, "code_challenge_method": "S256",
            })
            r.raise_for_status()
            r = http.post(TOKEN_PATH, data={
                "grant_type": "authorization_code", "client_id": data["mobile_client_id"],
                "code": r.json()["authorization_code"], "code_verifier": verifier,
            })
            r.raise_for_status()
            chains.append({"client_id": data["mobile_client_id"], "refresh_token": r.json()["refresh_token"]})
    return chains


@contextmanager
def running(pg_url: str, redis_url: str, workdir: Path, *, accounts: int, chains: int, log: Path) -> Iterator[Ours]:
    port = free_port()
    name = f"bench_ours_{port}"
    prefix = f"bench-ours-{port}:"
    database_url = create_database(pg_url, name)
    env = _env(port, workdir, database_url, redis_url, prefix)
    process = None
    try:
        subprocess.run([str(PYTHON.parent / "superapp"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        setup = subprocess.run([str(PYTHON), "bench/ours_setup.py", "--accounts", str(accounts)], cwd=ROOT, env=env,
                               capture_output=True, text=True, check=False)
        if setup.returncode != 0:
            raise RuntimeError("bench/ours_setup.py failed:\n" + setup.stderr[-3000:])
        out = setup.stdout
        data = json.loads(out.strip().splitlines()[-1])
        process = start(
            [str(PYTHON), "-m", "uvicorn", "superapp.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
             "--log-level", "warning"],
            cwd=ROOT, env=env, log=log,
        )
        wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        yield Ours(base, process, data, sign_in_chains(base, data, chains))
    finally:
        if process is not None:
            stop(process)
        drop_database(pg_url, name)
        drop_redis_prefix(redis_url, prefix)
