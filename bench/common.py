"""Helpers shared by the side-by-side benchmark: ports, waiting for servers, scratch databases,
CPU pinning and the per-process CPU clock."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
SERVER_CORE = 0
LOAD_CORE = 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port}") from None
            time.sleep(0.2)


def pinned(cmd: list[str], core: int) -> list[str]:
    """``cmd`` run on one CPU core (``taskset -c``) when taskset exists."""
    if shutil.which("taskset") and os.cpu_count() and os.cpu_count() > 1:
        return ["taskset", "-c", str(core), *cmd]
    return cmd


def start(cmd: list[str], *, cwd: Path, env: dict[str, str], core: int = SERVER_CORE, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    return subprocess.Popen(pinned(cmd, core), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(asyncpg_url(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(server_url: str, name: str) -> str:
    """A fresh database ``name`` on the server of ``server_url``; returns its URL (same driver)."""
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    return server_url.rsplit("/", 1)[0] + "/" + name


def drop_database(server_url: str, name: str) -> None:
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def drop_redis_prefix(url: str, prefix: str) -> None:
    async def main() -> None:
        from redis.asyncio import Redis

        redis = Redis.from_url(url)
        try:
            batch = []
            async for key in redis.scan_iter(match=prefix + "*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    await redis.delete(*batch)
                    batch.clear()
            if batch:
                await redis.delete(*batch)
        finally:
            await redis.aclose()

    asyncio.run(main())


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
