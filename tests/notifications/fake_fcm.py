"""A local stand-in for Firebase Cloud Messaging HTTP v1 and Google's OAuth token endpoint.

Served by uvicorn on 127.0.0.1 and a free port, in a thread of its own, so that the real
firebase-admin client (requests, google-auth) talks to it over HTTP exactly as it would to
``fcm.googleapis.com``. Answers follow the FCM v1 error format (``google.rpc.Status`` with an
``FcmError`` detail). Used by the tests and by ``bench/notifications_broadcast.py``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
ACCESS_TOKEN = "fake-access-token"


def fcm_error(http: int, status: str, message: str, fcm_code: str | None = None) -> JSONResponse:
    details = [{"@type": FCM_ERROR, "errorCode": fcm_code}] if fcm_code else []
    return JSONResponse({"error": {"code": http, "message": message, "status": status, "details": details}}, http)


@dataclass
class FakeFcm:
    """What the fake server received, and how it should answer particular tokens."""

    project_id: str = "hanoi-superapp-test"
    record: bool = True
    messages: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    unregistered: set[str] = field(default_factory=set)
    invalid: set[str] = field(default_factory=set)  # "not a valid FCM registration token"
    bad_payload: set[str] = field(default_factory=set)  # INVALID_ARGUMENT about something else
    # token → list of HTTP statuses to answer (429 / 503) before accepting
    transient: dict[str, list[int]] = field(default_factory=dict)
    attempts: Counter = field(default_factory=Counter)
    sent_count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.token_requests = 0
            self.sent_count = 0
            for rule in (self.unregistered, self.invalid, self.bad_payload, self.transient, self.attempts):
                rule.clear()

    def received_tokens(self) -> list[str]:
        return [m["token"] for m in self.messages]

    async def token_endpoint(self, request: Request) -> JSONResponse:
        form = await request.form()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" or not form.get("assertion"):
            return JSONResponse({"error": "invalid_grant"}, 400)
        with self._lock:
            self.token_requests += 1
        return JSONResponse({"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"})

    async def send(self, request: Request) -> JSONResponse:
        if request.path_params["project"] != self.project_id:
            return fcm_error(403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH")
        if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return fcm_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        try:
            message = json.loads(await request.body())["message"]
            token = message["token"]
        except (ValueError, KeyError, TypeError):
            return fcm_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", "INVALID_ARGUMENT")
        with self._lock:
            self.attempts[token] += 1
            plan = self.transient.get(token)
            status = plan.pop(0) if plan else None
        if status == 429:
            return fcm_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for this device.", "QUOTA_EXCEEDED")
        if status is not None:
            return fcm_error(status, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE")
        if token in self.unregistered:
            return fcm_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED")
        if token in self.invalid:
            return fcm_error(
                400,
                "INVALID_ARGUMENT",
                "The registration token is not a valid FCM registration token",
                "INVALID_ARGUMENT",
            )
        if token in self.bad_payload:
            return fcm_error(400, "INVALID_ARGUMENT", "Invalid value at 'message.data[0].value'", "INVALID_ARGUMENT")
        with self._lock:
            self.sent_count += 1
            n = self.sent_count
            if self.record:
                self.messages.append(message)
        return JSONResponse({"name": f"projects/{self.project_id}/messages/{n}"})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/token", self.token_endpoint, methods=["POST"]),
                Route("/v1/projects/{project}/messages:send", self.send, methods=["POST"]),
            ]
        )


class FakeFcmServer:
    """Runs a :class:`FakeFcm` with uvicorn in a background thread."""

    def __init__(self, fake: FakeFcm | None = None) -> None:
        self.fake = fake or FakeFcm()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(self.fake.app(), log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeFcmServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake FCM server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()

    def write_service_account(self, path: Path) -> Path:
        return write_service_account(path, self.fake.project_id, f"{self.url}/token")


def write_service_account(path: Path, project_id: str, token_uri: str) -> Path:
    """A service-account JSON with a fresh RSA key whose ``token_uri`` is the fake server."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": "test-key-1",
        "private_key": pem,
        "client_email": f"push@{project_id}.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(info))
    return path


def main() -> None:
    """``python -m tests.notifications.fake_fcm --port P``: serve a non-recording fake (benchmarks)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--project", default="hanoi-superapp-bench")
    args = parser.parse_args()
    fake = FakeFcm(project_id=args.project, record=False)
    uvicorn.run(fake.app(), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
