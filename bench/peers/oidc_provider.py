"""The ``oidc-provider`` peer (npm, 8.x on Node 20), installed at bench time into a temporary
directory with its Redis adapter (``bench/peers/node/``); nothing of it is committed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import drop_redis_prefix, free_port, start, stop, wait_for_port

HERE = Path(__file__).resolve().parent / "node"
PACKAGES = ["oidc-provider@8", "ioredis@5"]


@dataclass
class NodePeer:
    base: str
    process: subprocess.Popen
    version: str
    server_client_id: str
    server_client_secret: str
    chains: list[dict]
    redis_prefix: str


def install(workdir: Path) -> str:
    """npm install into ``workdir``; returns the installed oidc-provider version."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "package.json").write_text(json.dumps({"name": "bench-oidc-provider", "private": True, "type": "module"}))
    for source in HERE.glob("*.js"):
        shutil.copy(source, workdir / source.name)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES], cwd=workdir,
                   check=True, stdout=subprocess.DEVNULL)
    return json.loads((workdir / "node_modules" / "oidc-provider" / "package.json").read_text())["version"]


@contextmanager
def running(workdir: Path, redis_url: str, *, chains: int, log: Path) -> Iterator[NodePeer]:
    version = install(workdir)
    port = free_port()
    prefix = f"bench-oidc-provider-{port}:"
    env = {**os.environ, "PORT": str(port), "REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "NODE_ENV": "production"}
    process = None
    try:
        minted = subprocess.run(["node", "mint.js", str(chains)], cwd=workdir, env=env, check=True,
                                capture_output=True, text=True).stdout
        tokens = json.loads(minted.strip().splitlines()[-1])
        process = start(["node", "server.js"], cwd=workdir, env=env, log=log)
        wait_for_port(port)
        yield NodePeer(
            base=f"http://127.0.0.1:{port}",
            process=process,
            version=version,
            server_client_id="bench-server",
            server_client_secret="bench-server-secret-0123456789abcdef0123456789",
            chains=[{"client_id": tokens["mobile_client_id"], "refresh_token": t} for t in tokens["refresh_tokens"]],
            redis_prefix=prefix,
        )
    finally:
        if process is not None:
            stop(process)
        drop_redis_prefix(redis_url, prefix)
