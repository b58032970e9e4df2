"""Real ``superapp`` processes for the scale-out and fault tests.

Each process runs the installed command line (``superapp serve --no-workers`` or ``superapp
worker``) with an environment of its own, writes its output to a log file (shown when a test
fails) and is stopped with SIGTERM, or killed with SIGKILL when a test wants a crash.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def superapp_command() -> list[str]:
    """The ``superapp`` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "superapp"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from superapp.cli import main; main()"]


def process_env(settings_env: dict[str, str]) -> dict[str, str]:
    """The parent's environment without any ``SUPERAPP_*`` variable, plus ``settings_env``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERAPP_")}
    env.update(settings_env)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class ManagedProcess:
    """One child process with its log file; start, stop (SIGTERM) or kill (SIGKILL)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> ManagedProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.args, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2]
        )
        log.close()
        return self

    def stop(self) -> None:
        if not self.running:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up (a crash)."""
        if self.running:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT_SECONDS)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


class ApiProcess(ManagedProcess):
    """``superapp serve --no-workers`` on 127.0.0.1 and a port of its own."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        args = [*superapp_command(), "serve", "--no-workers", "--host", "127.0.0.1", "--port", str(self.port)]
        super().__init__(name, args, env, log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Block until ``/healthz`` answers (the app finished its startup)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.name} exited during startup:\n{self.log_tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready:\n{self.log_tail()}")


class WorkerProcess(ManagedProcess):
    """``superapp worker``: the outbox drainer and periodic jobs alone."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        super().__init__(name, [*superapp_command(), "worker"], env, log_dir)
