"""Calls to the module JSON APIs on behalf of the signed-in staff member, in-process.

Every console action goes through the same ``/v1/...`` endpoints as any other client, with the
staff member's bearer token, so the module APIs check roles and write the audit log themselves.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import Request

from superapp.console.errors import ApiProblem, NotSignedIn, ProviderUnavailable
from superapp.console.provider import in_process_client
from superapp.console.sessions import ConsoleSession, SessionStore


class ConsoleApi:
    def __init__(self, request: Request, session: ConsoleSession) -> None:
        self.request = request
        self.session = session
        self.ctx = request.app.state.ctx

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.session.access_token}",
            "Accept-Language": getattr(self.request.state, "lang", None) or "vi",
            "Accept": "application/json",
        }
        rid = getattr(self.request.state, "request_id", None)
        if rid:
            headers["X-Request-ID"] = rid
        if extra:
            headers.update(extra)
        return headers

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        files: Any = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            async with in_process_client(self.request.app, self.ctx.settings.resolved_issuer) as http:
                r = await http.request(
                    method, path, params=clean, json=json, files=files, data=data, headers=self._headers(headers)
                )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable() from exc
        if r.status_code == 401:
            await SessionStore(self.ctx).delete(self.session.id)
            raise NotSignedIn()
        if r.status_code >= 400:
            raise _problem(r)
        return r

    async def get(self, path: str, **params: Any) -> Any:
        return (await self.send("GET", path, params=params)).json()

    async def post(self, path: str, body: Any = None, *, idempotency_key: str | None = None, **kw: Any) -> Any:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        r = await self.send("POST", path, json=body, headers=headers, **kw)
        return r.json() if r.content else None


def _problem(r: httpx.Response) -> ApiProblem:
    try:
        body = r.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = body.get("code") or body.get("error") or f"http_{r.status_code}"
    detail = body.get("detail") or body.get("error_description")
    return ApiProblem(r.status_code, str(code), str(detail) if detail else None)
