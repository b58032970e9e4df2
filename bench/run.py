"""The identity benchmark, side by side with two peers, in one run.

    .venv/bin/python bench/run.py [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
        [--redis redis://127.0.0.1:6379/0] [--seconds 8] [--output bench-results.json]
        [--skip-peers] [--skip-modules] [--only refresh,client_credentials] [--profile DIR]

Starts each server in turn pinned to core 0 (``taskset -c 0``) with the load driver
(``bench/load.py``) in its own process on core 1: ours (uvicorn + PostgreSQL + Redis), then
``oidc-provider`` (npm, Redis adapter) and ``django-oauth-toolkit`` (PyPI, PostgreSQL), both
installed into a temporary directory. For every workload it prints requests per second and
p50/p99 as the driver saw them, and the rate per second of server CPU time ("per core"): on a
shared machine the wall-clock rate moves with the neighbours' load, the CPU-time rate much
less. Then the module benchmarks already in ``bench/`` (offline QR verification against the
raw ES256 verify rate, online QR validation, the notification broadcast fan-out). Ratios are
ours / peer on the per-core rate. Nothing is asserted; everything goes to stdout and, with
``--output``, to a JSON file.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import LOAD_CORE, PYTHON, ROOT, SERVER_CORE, cpu_seconds, pinned

TARGET_GRANTS_PER_CORE = 480


PROFILE_DIR: Path | None = None  # --profile: py-spy folded stacks per workload go here


def profiler(process_pid: int, name: str, seconds: float) -> subprocess.Popen | None:
    """``py-spy record`` of the server for one workload (``--profile``), as folded stacks."""
    py_spy = shutil.which("py-spy") or str(PYTHON.parent / "py-spy")
    if PROFILE_DIR is None or not Path(py_spy).exists():
        return None
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    out = PROFILE_DIR / f"{name}.folded"
    return subprocess.Popen([py_spy, "record", "-p", str(process_pid), "-f", "raw", "-r", "250", "-d",
                             str(int(seconds) + 1), "-o", str(out), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def drive(process_pid: int, spec: dict, workdir: Path, name: str = "workload") -> dict:
    """One workload through the load driver; adds the server's CPU time and the per-core rate."""
    path = workdir / f"spec-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(spec))
    before = cpu_seconds(process_pid)
    spy = profiler(process_pid, name, spec.get("seconds", 8) + spec.get("warmup", 0))
    done = subprocess.run(pinned([str(PYTHON), "bench/load.py", str(path)], LOAD_CORE), cwd=ROOT,
                          capture_output=True, text=True, check=False)
    cpu = cpu_seconds(process_pid) - before
    if spy is not None:
        spy.wait()
    if done.returncode != 0:
        return {"error": done.stderr[-1500:]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["server_cpu_seconds"] = round(cpu, 2)
    ok_share = result["ok"] / result["requests"] if result["requests"] else 0.0
    result["per_core"] = round(result["all_requests"] * ok_share / cpu, 1) if cpu > 0 else None
    return result


def argon2_limit(params: list[int]) -> dict:
    """Argon2id verifications per second of one core at the configured parameters (thread CPU
    time, best of a few rounds), measured on the server's core."""
    code = (
        "import sys, time, json; sys.path.insert(0, '.');"
        "from auth.passwords import crypt_context;"
        f"c = crypt_context(*{params!r}); h = c.hash('bench-Password-2026!'); best = 1e9\n"
        "for _ in range(5):\n"
        "    t = time.thread_time(); [c.verify('bench-Password-2026!', h) for _ in range(4)]\n"
        "    best = min(best, (time.thread_time() - t) / 4)\n"
        "print(json.dumps({'hash_ms': round(best * 1000, 2), 'per_core': round(1 / best, 1)}))"
    )
    out = subprocess.run(pinned([str(PYTHON), "-c", code], SERVER_CORE), cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


OUR_WORKLOADS = ("client_credentials", "refresh", "password_login", "resource_userinfo", "silent_sso",
                 "silent_sso_200rps")


def our_specs(d: dict, ours, common: dict) -> dict[str, dict]:
    sso = {**common, "scenario": "sso", "tokens": d["citizen_tokens"],
           "authorize_path": f"/v1/miniapps/{d['miniapp_id']}/authorize", "scope": "openid profile",
           "client_id": d["miniapp_client_id"], "client_secret": d["miniapp_client_secret"]}
    return {
        "client_credentials": {
            **common, "scenario": "client_credentials", "concurrency": 16, "client_id": d["server_client_id"],
            "client_secret": d["server_client_secret"], "scope": "transit.validate"},
        "refresh": {**common, "scenario": "refresh", "concurrency": 32, "chains": ours.chains},
        "password_login": {
            **common, "scenario": "challenge", "concurrency": 4, "challenge_path": "/oauth/authorize-challenge",
            "client_id": d["mobile_client_id"], "scope": "openid offline_access",
            "logins": [{"username": u, "password": d["password"]} for u in d["usernames"]]},
        "resource_userinfo": {
            **common, "scenario": "resource", "concurrency": 16, "path": "/oauth/userinfo",
            "tokens": d["citizen_tokens"]},
        # closed loop: what one operation costs the server (its per-core capacity)
        "silent_sso": {**sso, "concurrency": 8},
        "silent_sso_200rps": {**sso, "rate": 200},
    }


def bench_ours(args, workdir: Path) -> dict:
    from bench.ours import running

    results: dict = {}
    with running(args.pg, args.redis, workdir / "ours", accounts=64, chains=32, log=workdir / "ours.log") as ours:
        d = ours.data
        specs = our_specs(d, ours, {"base": ours.base, "seconds": args.seconds, "warmup": 2})
        for name in OUR_WORKLOADS:
            if not args.only or name in args.only:
                results[name] = drive(ours.process.pid, specs[name], workdir, f"ours-{name}")
        results["argon2"] = argon2_limit(d["argon2"])
        results["argon2"]["params"] = d["argon2"]
    return results


def bench_peer(name: str, peer, token_path: str, args, workdir: Path) -> dict:
    common = {"base": peer.base, "seconds": args.seconds, "warmup": 2, "token_path": token_path}
    return {
        "version": peer.version,
        "client_credentials": drive(peer.process.pid, {
            **common, "scenario": "client_credentials", "concurrency": 16, "client_id": peer.server_client_id,
            "client_secret": peer.server_client_secret, "scope": "transit.validate"}, workdir,
            f"{name}-client_credentials"),
        "refresh": drive(peer.process.pid, {
            **common, "scenario": "refresh", "concurrency": 32, "chains": peer.chains}, workdir, f"{name}-refresh"),
    }


def redis_key_census(redis_url: str, prefix: str) -> dict[str, int]:
    import asyncio

    from redis.asyncio import Redis

    async def main() -> dict[str, int]:
        redis = Redis.from_url(redis_url)
        counts: dict[str, int] = {}
        try:
            async for key in redis.scan_iter(match=prefix + "*", count=1000):
                kind = key.decode()[len(prefix):].split(":", 1)[0]
                counts[kind] = counts.get(kind, 0) + 1
        finally:
            await redis.aclose()
        return counts

    return asyncio.run(main())


def bench_peers(args, workdir: Path) -> dict:
    from bench.peers import django_oauth_toolkit, oidc_provider

    peers: dict = {}
    try:
        with oidc_provider.running(workdir / "oidc-provider", args.redis, chains=32,
                                   log=workdir / "oidc-provider.log") as peer:
            peers["oidc-provider"] = bench_peer("oidc-provider", peer, "/token", args, workdir)
            peers["oidc-provider"]["redis_keys_after"] = redis_key_census(args.redis, peer.redis_prefix)
    except Exception as exc:  # noqa: BLE001 - a peer that does not install is reported, not fatal
        peers["oidc-provider"] = {"error": repr(exc)}
    try:
        with django_oauth_toolkit.running(workdir / "django-oauth-toolkit", args.pg, chains=32,
                                          log=workdir / "django-oauth-toolkit.log") as peer:
            peers["django-oauth-toolkit"] = bench_peer("django-oauth-toolkit", peer, "/o/token/", args, workdir)
    except Exception as exc:  # noqa: BLE001
        peers["django-oauth-toolkit"] = {"error": repr(exc)}
    return peers


def module_bench(cmd: list[str], timeout: float) -> str:
    try:
        done = subprocess.run([str(PYTHON), *cmd], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    return done.stdout.strip() if done.returncode == 0 else "failed:\n" + done.stderr[-1500:]


def bench_modules(args) -> dict:
    return {
        "offline_qr_verify": module_bench(["bench/transit_verify.py", "--rounds", "10", "--seconds", "0.1"], 300),
        "online_qr_validate": module_bench(["bench/transit_validate.py", "--rate", "200", "--seconds", "5",
                                            "--pg", args.pg, "--redis", args.redis], 600),
        "broadcast": module_bench(["bench/notifications_broadcast.py", "--database-url", args.pg, "--redis-url",
                                   args.redis, "--accounts", str(args.broadcast_accounts), "--push-backend", "log",
                                   "--workers", "2", "--inbox-rows", "200000", "--samples", "200"], 900),
    }


def fmt(result: dict | None) -> str:
    if not result:
        return "-"
    if "error" in result:
        return "error: " + result["error"].strip().splitlines()[-1][:80]
    return (f"{result['rps']:>7.1f}/s wall  p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms  "
            f"{result['per_core'] or 0:>7.1f}/s per core  ({result['ok']}/{result['requests']} ok)")


def ratio(ours: dict | None, peer: dict | None) -> str:
    try:
        return f"{ours['per_core'] / peer['per_core']:.2f}×"
    except (TypeError, KeyError, ZeroDivisionError):
        return "n/a"


def report(results: dict) -> None:
    ours, peers = results["ours"], results.get("peers", {})
    print(f"\n== identity benchmark {results['date']} on {results['machine']} ==")
    for workload in OUR_WORKLOADS:
        print(f"ours {workload:<20} {fmt(ours.get(workload))}")
    limit = ours["argon2"]
    login = ours.get("password_login") or {}
    if login.get("per_core"):
        print(f"password logins: {login['per_core']:.1f}/s per core against the Argon2id limit "
              f"{limit['per_core']:.1f}/s (hash {limit['hash_ms']} ms at t,m,p={limit['params']}): "
              f"{login['per_core'] / limit['per_core'] * 100:.0f} %")
    for name, peer in peers.items():
        if "error" in peer:
            print(f"{name}: {peer['error'][:200]}")
            continue
        for workload in ("client_credentials", "refresh"):
            print(f"{name} {peer['version']} {workload:<18} {fmt(peer.get(workload))}   "
                  f"ours/{name} {ratio(ours.get(workload), peer.get(workload))}")
    for workload in ("client_credentials", "refresh"):
        per_core = (ours.get(workload) or {}).get("per_core") or 0
        print(f"target {workload} ≥ {TARGET_GRANTS_PER_CORE}/s per core: {per_core:.0f}/s "
              f"{'met' if per_core >= TARGET_GRANTS_PER_CORE else 'NOT met'}")
    closed = ours.get("silent_sso") or {}
    if closed.get("per_core"):
        print(f"silent SSO costs {1000 / closed['per_core']:.1f} ms of server CPU per operation: "
              f"200/s needs {200 / closed['per_core']:.1f} cores")
    sso = ours.get("silent_sso_200rps") or {}
    if sso.get("p99_ms") is not None:
        print(f"target silent SSO p99 < 50 ms at 200/s: {sso['p99_ms']} ms "
              f"{'met' if sso['p99_ms'] < 50 and sso['ok'] == sso['requests'] else 'NOT met'}")
    for name, text in results.get("modules", {}).items():
        print(f"\n-- {name}\n{text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server (its admin database); scratch databases are made and dropped")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="Redis (keys under per-run prefixes)")
    parser.add_argument("--seconds", type=float, default=8, help="measured seconds per workload")
    parser.add_argument("--broadcast-accounts", type=int, default=20000)
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--skip-modules", action="store_true")
    parser.add_argument("--only", type=lambda v: set(v.split(",")), default=set(),
                        help="comma-separated workloads of ours to run: " + ",".join(OUR_WORKLOADS))
    parser.add_argument("--profile", type=Path,
                        help="record each server with py-spy during each workload (folded stacks into this folder)")
    parser.add_argument("--output", help="write the results as JSON here")
    args = parser.parse_args()
    global PROFILE_DIR
    PROFILE_DIR = args.profile
    import os

    results: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
                   f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at start",
    }
    with tempfile.TemporaryDirectory(prefix="superapp-bench-") as tmp:
        workdir = Path(tmp)
        results["ours"] = bench_ours(args, workdir)
        if not args.skip_peers:
            results["peers"] = bench_peers(args, workdir)
        if not args.skip_modules:
            results["modules"] = bench_modules(args)
    results["load_average_at_end"] = os.getloadavg()[0]
    report(results)
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
