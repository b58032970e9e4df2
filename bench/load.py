"""The load driver: one workload against one server, in its own process (pinned to its own core
by ``bench/run.py``), only to 127.0.0.1, bounded in time and in number of requests.

    .venv/bin/python bench/load.py SPEC.json        # prints one JSON line of results

Closed loop (``concurrency`` callers, each sending its next request when the previous answer
arrives) for throughput, or open loop (``rate``: request i leaves at i / rate seconds whatever
the earlier answers took) for latency at a given arrival rate. The first ``warmup`` seconds are
not counted. Workloads (``scenario``):

- ``client_credentials``: RFC 6749 §4.4 with ``client_secret_basic``;
- ``refresh``: RFC 6749 §6, each caller rotating its own chain (the new refresh token replaces
  the old one, as an app does);
- ``challenge``: password sign-in at the authorization challenge endpoint;
- ``sso``: silent mini-app sign-in, ``POST /v1/miniapps/{id}/authorize`` then the mini-app's
  server redeeming the code at the token endpoint (one operation = both requests);
- ``resource``: a ``GET`` with a bearer JWT that the server verifies.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import secrets
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx


def basic(client_id: str, secret: str) -> str:
    from urllib.parse import quote

    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class Recorder:
    def __init__(self, warmup_until: float) -> None:
        self.warmup_until = warmup_until
        self.latencies: list[float] = []
        self.outcomes: Counter[str] = Counter()
        self.first: float | None = None
        self.last: float = 0.0
        self.all_requests = 0  # warm-up included: what the server's CPU time was spent on

    def add(self, started: float, ended: float, outcome: str) -> None:
        self.all_requests += 1
        if started < self.warmup_until:
            return
        if self.first is None:
            self.first = started
        self.last = max(self.last, ended)
        self.latencies.append(ended - started)
        self.outcomes[outcome] += 1

    def result(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        n = len(lat)
        span = (self.last - self.first) if self.first is not None else 0.0
        ok = self.outcomes.get("ok", 0)

        def pct(p: float) -> float | None:
            return round(lat[min(n - 1, int(p * n))] * 1000, 2) if n else None

        return {
            "requests": n,
            "all_requests": self.all_requests,
            "ok": ok,
            "outcomes": dict(self.outcomes),
            "seconds": round(span, 3),
            "rps": round(ok / span, 1) if span else 0.0,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
        }


class Failed:
    """Stands for an answer that never came (connection error, timeout)."""

    def __init__(self, exc: Exception) -> None:
        self.status_code = 0
        self.text = type(exc).__name__

    def json(self) -> dict:
        return {}


async def send(http: httpx.AsyncClient, method: str, url: str, **kw: Any) -> httpx.Response | Failed:
    try:
        return await http.request(method, url, **kw)
    except httpx.HTTPError as exc:
        return Failed(exc)


def outcome_of(response: httpx.Response | Failed, want: int = 200) -> str:
    if response.status_code == want:
        return "ok"
    return f"http_{response.status_code}:{response.text[:60]}" if response.status_code else response.text


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    scenario = spec["scenario"]
    seconds = float(spec.get("seconds", 8))
    warmup = float(spec.get("warmup", 1.0))
    concurrency = int(spec.get("concurrency", 16))
    max_requests = int(spec.get("max_requests", 100_000))
    base = spec["base"]
    if urlsplit(base).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the load driver only talks to 127.0.0.1")
    token_path = spec.get("token_path", "/oauth/token")
    limits = httpx.Limits(max_connections=1024, max_keepalive_connections=1024)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        loop = asyncio.get_running_loop()
        start = loop.time()
        recorder = Recorder(start + warmup)
        deadline = start + warmup + seconds
        sent = itertools.count()

        async def client_credentials(_worker: int) -> None:
            auth = {"Authorization": basic(spec["client_id"], spec["client_secret"])}
            data = {"grant_type": "client_credentials", "scope": spec["scope"]}
            while loop.time() < deadline and next(sent) < max_requests:
                t0 = loop.time()
                r = await send(http, "POST", token_path, data=data, headers=auth)
                recorder.add(t0, loop.time(), outcome_of(r))

        async def refresh(worker: int) -> None:
            chain = dict(spec["chains"][worker])
            headers = {}
            if chain.get("client_secret"):
                headers["Authorization"] = basic(chain["client_id"], chain["client_secret"])
            while loop.time() < deadline and next(sent) < max_requests:
                data = {"grant_type": "refresh_token", "refresh_token": chain["refresh_token"]}
                if not chain.get("client_secret"):
                    data["client_id"] = chain["client_id"]
                t0 = loop.time()
                r = await send(http, "POST", token_path, data=data, headers=headers)
                recorder.add(t0, loop.time(), outcome_of(r))
                if r.status_code != 200:
                    return  # the chain is broken; a real app would sign in again
                chain["refresh_token"] = r.json()["refresh_token"]

        async def challenge(worker: int) -> None:
            logins = spec["logins"]
            _, code_challenge = pkce_pair()
            for i in itertools.count(worker, concurrency):
                if loop.time() >= deadline or next(sent) >= max_requests:
                    return
                login = logins[i % len(logins)]
                data = {
                    "client_id": spec["client_id"],
                    "username": login["username"],
                    "password": login["password"],
                    "scope": spec["scope"],
                    "code_challenge": code_challenge,
                    "code_challenge_method": "S256",
                }
                t0 = loop.time()
                r = await send(http, "POST", spec["challenge_path"], data=data)
                recorder.add(t0, loop.time(), outcome_of(r))

        async def resource(worker: int) -> None:
            tokens = spec["tokens"]
            for i in itertools.count(worker, concurrency):
                if loop.time() >= deadline or next(sent) >= max_requests:
                    return
                headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
                t0 = loop.time()
                r = await send(http, "GET", spec["path"], headers=headers)
                recorder.add(t0, loop.time(), outcome_of(r))

        async def sso_once(i: int, due: float) -> None:
            tokens = spec["tokens"]
            verifier, code_challenge = pkce_pair()
            r = await send(
                http, "POST", spec["authorize_path"],
                json={"code_challenge": code_challenge, "code_challenge_method": "S256", "scope": spec["scope"]},
                headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"},
            )
            if r.status_code != 200:
                recorder.add(due, loop.time(), "authorize:" + outcome_of(r))
                return
            r = await send(
                http, "POST", token_path,
                data={"grant_type": "authorization_code", "code": r.json()["code"], "code_verifier": verifier},
                headers={"Authorization": basic(spec["client_id"], spec["client_secret"])},
            )
            recorder.add(due, loop.time(), outcome_of(r))

        async def sso_closed(worker: int) -> None:
            while loop.time() < deadline:
                i = next(sent)
                if i >= max_requests:
                    return
                await sso_once(i, loop.time())

        if scenario == "sso" and "rate" not in spec:
            await asyncio.gather(*(sso_closed(w) for w in range(concurrency)))
        elif scenario == "sso":
            rate = float(spec["rate"])
            total = min(max_requests, int(rate * (warmup + seconds)))
            t_start = loop.time() + 0.2
            recorder.warmup_until = t_start + warmup

            async def scheduled(i: int) -> None:
                due = t_start + i / rate
                await asyncio.sleep(max(0.0, due - loop.time()))
                await sso_once(i, due)

            await asyncio.gather(*(scheduled(i) for i in range(total)))
        else:
            worker = {"client_credentials": client_credentials, "refresh": refresh,
                      "challenge": challenge, "resource": resource}[scenario]
            if scenario == "refresh":
                concurrency = min(concurrency, len(spec["chains"]))
            await asyncio.gather(*(worker(w) for w in range(concurrency)))
    result = recorder.result()
    result.update(scenario=scenario, concurrency=concurrency if "rate" not in spec else None,
                  rate=spec.get("rate"))
    return result


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    t0 = time.monotonic()
    result = asyncio.run(run(spec))
    result["wall_seconds"] = round(time.monotonic() - t0, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
