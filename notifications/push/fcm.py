"""The ``fcm`` push backend: Firebase Cloud Messaging HTTP v1 through firebase-admin.

- ``messaging.send_each`` in batches of at most 500 messages (the SDK's limit).
- firebase-admin is synchronous (requests + a thread pool), so each batch runs in a worker
  thread (``anyio.to_thread``), never on the event loop.
- Error mapping (FCM HTTP v1 error codes, https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode):
  ``UNREGISTERED`` → the token is dead; ``INVALID_ARGUMENT`` → dead only when the message says
  the registration token is invalid (otherwise the message itself was wrong);
  ``QUOTA_EXCEEDED``/429, ``UNAVAILABLE``/``INTERNAL``/5xx, timeouts → retried by the outbox
  with backoff. The SDK's own HTTP retries are turned off so that retries happen in one place.
- ``SUPERAPP_FCM_ENDPOINT`` points the client at another base URL (a local fake server in
  tests and benchmarks); ``SUPERAPP_FCM_CREDENTIALS_FILE`` is a service-account JSON.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import anyio
import firebase_admin
import requests
from firebase_admin import credentials, exceptions, messaging
from urllib3.util import retry

from notifications.push import PushMessage, PushOutcome
from superapp.settings import Settings

log = logging.getLogger("notifications.push")
MAX_BATCH = 500
TRANSIENT_CODES = frozenset(
    {"RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "UNKNOWN", "ABORTED"}
)
# Network errors only; HTTP statuses come back to us and the outbox decides.
NO_STATUS_RETRY = retry.Retry(total=1, connect=1, read=0, status=0, other=0, raise_on_status=False)


class FcmConfigurationError(RuntimeError):
    pass


def _is_invalid_token_message(text: str) -> bool:
    lowered = text.lower()
    return "registration token" in lowered and ("not a valid" in lowered or "invalid" in lowered)


def classify(exc: BaseException) -> PushOutcome:
    """Map a firebase-admin error to a push outcome."""
    detail = str(exc)[:500]
    if isinstance(exc, messaging.UnregisteredError):
        return PushOutcome("invalid", detail)
    if isinstance(exc, exceptions.InvalidArgumentError):
        return PushOutcome("invalid" if _is_invalid_token_message(detail) else "failed", detail)
    if isinstance(exc, messaging.QuotaExceededError):
        return PushOutcome("retry", detail)
    if isinstance(exc, exceptions.FirebaseError):
        status = getattr(getattr(exc, "http_response", None), "status_code", None)
        if exc.code in TRANSIENT_CODES or status == 429 or (status is not None and status >= 500):
            return PushOutcome("retry", detail)
    return PushOutcome("failed", detail)


def to_fcm_message(m: PushMessage) -> messaging.Message:
    """The apps register FCM registration tokens (HTTP v1 ``message.token``). firebase-admin 7
    steers its constructor towards installation ids (``fid``), a different identifier, so the
    token is set as the attribute its encoder reads."""
    message = messaging.Message(
        notification=messaging.Notification(title=m.title, body=m.body),
        data=m.data,
        android=messaging.AndroidConfig(priority="high" if m.critical else "normal"),
        apns=messaging.APNSConfig(headers={"apns-priority": "10" if m.critical else "5"}),
    )
    message.token = m.token
    return message


class FcmBackend:
    max_batch = MAX_BATCH

    def __init__(self, app: firebase_admin.App, endpoint: str | None = None) -> None:
        self.app = app
        service = messaging._get_messaging_service(app)  # the SDK's client for this app
        if endpoint:
            service._fcm_url = f"{endpoint.rstrip('/')}/v1/projects/{app.project_id}/messages:send"
            # Talking to an emulator or a private gateway: google-auth must not look up Google's
            # IAM host ("regional access boundary") after each token refresh either.
            credential = app.credential.get_credential()
            if hasattr(credential, "_is_regional_access_boundary_lookup_required"):
                credential._is_regional_access_boundary_lookup_required = lambda: False
        session = service._client.session
        for prefix in ("http://", "https://"):
            session.mount(
                prefix,
                requests.adapters.HTTPAdapter(pool_connections=10, pool_maxsize=MAX_BATCH, max_retries=NO_STATUS_RETRY),
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> FcmBackend:
        if not settings.fcm_credentials_file:
            raise FcmConfigurationError("SUPERAPP_FCM_CREDENTIALS_FILE is required for the fcm push backend")
        with open(settings.fcm_credentials_file, encoding="utf-8") as fh:
            info: dict[str, Any] = json.load(fh)
        project_id = settings.fcm_project_id or info.get("project_id")
        if not project_id:
            raise FcmConfigurationError("SUPERAPP_FCM_PROJECT_ID is required for the fcm push backend")
        app = firebase_admin.initialize_app(
            credentials.Certificate(info),
            options={"projectId": project_id, "httpTimeout": 30},
            name=f"superapp-{uuid.uuid4().hex[:8]}",
        )
        return cls(app, settings.fcm_endpoint)

    def _send_batch(self, messages: list[PushMessage]) -> list[PushOutcome]:
        batch = messaging.send_each([to_fcm_message(m) for m in messages], app=self.app)
        return [PushOutcome("sent") if r.success else classify(r.exception) for r in batch.responses]

    async def send(self, messages: list[PushMessage]) -> list[PushOutcome]:
        outcomes: list[PushOutcome] = []
        for i in range(0, len(messages), MAX_BATCH):
            part = messages[i : i + MAX_BATCH]
            try:
                outcomes.extend(await anyio.to_thread.run_sync(self._send_batch, part))
            except exceptions.FirebaseError as exc:  # the whole batch failed (e.g. no access token)
                log.warning("fcm batch of %d failed: %s", len(part), exc)
                outcomes.extend(PushOutcome("retry", str(exc)[:500]) for _ in part)
        return outcomes

    def close(self) -> None:
        firebase_admin.delete_app(self.app)
