#!/usr/bin/env python3
"""Run the project from a fresh clone with nothing but Python 3.11+.

    python3 run.py serve [superapp serve options]   # the service on 127.0.0.1:8000
    python3 run.py test  [pytest options]           # the test suite

Creates ``.venv`` and installs the project (with test extras) on first use, and again whenever
``pyproject.toml`` changes; then runs the command inside it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 or newer is needed.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing the project into .venv …", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    for extra in sorted((ROOT / "examples").glob("*/pyproject.toml")):
        subprocess.run([*pip, "-e", str(extra.parent)], check=True)
    STAMP.write_text(wanted)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("serve", "test", "superapp"):
        sys.exit(__doc__)
    ensure_environment()
    command, args = sys.argv[1], sys.argv[2:]
    os.chdir(ROOT)
    if command == "serve":
        argv = [str(BIN / "superapp"), "serve", *args]
    elif command == "test":
        argv = [str(BIN / "python"), "-m", "pytest", *args]
    else:
        argv = [str(BIN / "superapp"), *args]
    if os.name == "nt":
        sys.exit(subprocess.call(argv))
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
