"""The ``django-oauth-toolkit`` peer (PyPI), installed at bench time into its own virtualenv in a
temporary directory, with a minimal Django project on a fresh PostgreSQL database, served by
gunicorn (sync workers, all on the one pinned core); nothing of it is committed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    create_database,
    drop_database,
    free_port,
    start,
    stop,
    wait_for_port,
)

HERE = Path(__file__).resolve().parent / "django"
PACKAGES = ["django-oauth-toolkit>=3,<4", "psycopg[binary]>=3.2", "gunicorn>=23"]
WORKERS = 4  # sync workers: while one waits for PostgreSQL another can run


@dataclass
class DjangoPeer:
    base: str
    process: subprocess.Popen
    version: str
    server_client_id: str
    server_client_secret: str
    chains: list[dict]


def install(workdir: Path) -> Path:
    """A virtualenv with the toolkit in ``workdir``; returns its python."""
    workdir.mkdir(parents=True, exist_ok=True)
    venv = workdir / "venv"
    python = shutil.which("python3") or sys.executable
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *PACKAGES],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for source in HERE.glob("*.py"):
        shutil.copy(source, workdir / source.name)
    return venv / "bin" / "python"


def version(python: Path) -> str:
    return subprocess.run([str(python), "-c", ("import oauth2_provider, django; "
                           "print(oauth2_provider.__version__, 'on Django', django.get_version())")],
                          check=True, capture_output=True, text=True).stdout.strip()


@contextmanager
def running(workdir: Path, pg_url: str, *, chains: int, log: Path) -> Iterator[DjangoPeer]:
    python = install(workdir)
    port = free_port()
    name = f"bench_dot_{port}"
    create_database(pg_url, name)
    env = {**os.environ, "BENCH_DB_NAME": name, "DJANGO_SETTINGS_MODULE": "settings", "PYTHONPATH": str(workdir)}
    process = None
    try:
        subprocess.run([str(python), "-m", "django", "migrate", "-v", "0"], cwd=workdir, env=env, check=True)
        minted = json.loads(subprocess.run([str(python), "mint.py", str(chains)], cwd=workdir, env=env, check=True,
                                           capture_output=True, text=True).stdout.strip().splitlines()[-1])
        process = start([str(python), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
                         "--worker-class", "sync", "--log-level", "warning", "--keep-alive", "75",
                         "django.core.wsgi:get_wsgi_application()"], cwd=workdir, env=env, log=log)
        wait_for_port(port)
        yield DjangoPeer(
            base=f"http://127.0.0.1:{port}",
            process=process,
            version=version(python),
            server_client_id="bench-server",
            server_client_secret=minted["server_client_secret"],
            chains=[{"client_id": "bench-mobile", "refresh_token": t} for t in minted["refresh_tokens"]],
        )
    finally:
        if process is not None:
            stop(process)
        drop_database(pg_url, name)
