"""Throwaway PostgreSQL and Redis servers that a fault test may stop and start at will.

They listen on 127.0.0.1 and a free port and keep their files in a temporary directory, so the
shared servers other tests use are never touched. PostgreSQL refuses to run as root: as root,
the server runs as the ``postgres`` system user (``runuser``) in a directory it owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from tests.reliability.processes import free_port

START_TIMEOUT_SECONDS = 30


class Unavailable(RuntimeError):
    """The server cannot be run here (binaries or a non-root user missing); tests skip."""


def _postgres_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if not candidates:
        found = shutil.which("pg_ctl")
        if not found:
            raise Unavailable("no PostgreSQL server binaries (pg_ctl) found")
        return Path(found).parent
    return Path(candidates[0]).parent


class ThrowawayPostgres:
    """``initdb`` into a temporary directory; ``start``/``stop`` (fast shutdown) any number of times."""

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.port = free_port()
        self.run_as: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise Unavailable("running as root and there is no 'postgres' user to run the server") from exc
            self.run_as = "postgres"
        self.root = Path(tempfile.mkdtemp(prefix="superapp-reliability-pg-"))
        self.data = self.root / "data"
        if self.run_as:
            shutil.chown(self.root, user=self.run_as)

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def init(self) -> ThrowawayPostgres:
        try:
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        except subprocess.CalledProcessError as exc:
            raise Unavailable(f"initdb failed: {exc.stderr.strip()[:500]}") from exc
        return self

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w",
                  "-t", str(START_TIMEOUT_SECONDS), "start")

    def stop(self) -> None:
        """Fast shutdown: open sessions are terminated, as in a restart or a failover."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class ThrowawayRedis:
    """``redis-server`` without persistence on a port of its own."""

    def __init__(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise Unavailable("no redis-server binary found")
        self.exe = exe
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        try:
            while time.monotonic() < deadline:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        raise Unavailable("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None
