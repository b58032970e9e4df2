"""Secrets never reach the logs (OWASP ASVS 4.0 V7.1.1, V7.1.2; RFC 9700 §4.14 for tokens).

Each flow that handles a secret runs with every logger at DEBUG, and the secret must appear
nowhere in what was logged: message, arguments, extra fields or traceback.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest

from auth.sms import outbox_path
from miniapps.health.importer import import_bundle
from tests.factories import MOBILE_CLIENT_ID
from tests.miniapps.health.conftest import bundle, patient
from tests.miniapps.platform.conftest import APP_BODY
from tests.security.test_privacy import CITIZEN_NID

PASSWORD = "Sông-Hồng-2026-secret"
CLIENT_LOGGERS = {"httpx", "httpcore"}


@pytest.fixture
def logged(caplog):
    """Everything the server logged during the test (the test's own httpx client, which logs
    the URLs it calls, left out)."""
    caplog.set_level(logging.DEBUG)

    def text() -> str:
        out = []
        for r in caplog.records:
            if r.name.split(".")[0] in CLIENT_LOGGERS:
                continue
            out.append(r.getMessage())
            out.append(repr(r.__dict__))
            if r.exc_info:
                out.append(logging.Formatter().formatException(r.exc_info))
        return "\n".join(out)

    return text


def _sms_code(settings, phone: str) -> str:
    import json

    lines = outbox_path(settings).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if json.loads(line)["to"] == phone][-1]["code"]


class TestSecretsStayOutOfLogs:
    async def test_password_otp_and_refresh_tokens(self, client, ctx, factory, logged):
        from tests.auth.oidc.conftest import pkce_pair

        await factory.mobile_client()
        phone = factory.next_phone()
        r = await client.post("/v1/accounts", json={"phone": phone, "password": PASSWORD, "full_name": "Trần Văn Bình"})
        assert r.status_code == 201, r.text
        otp = _sms_code(ctx.settings, phone)
        assert (await client.post("/v1/accounts/verify", json={"phone": phone, "code": otp})).status_code == 200

        wrong = await client.post("/oauth/authorize-challenge", data={
            "client_id": MOBILE_CLIENT_ID, "username": phone, "password": PASSWORD + "-wrong", "scope": "openid",
            "code_challenge": pkce_pair().challenge, "code_challenge_method": "S256"})
        assert wrong.status_code == 400
        pkce = pkce_pair()
        r = await client.post("/oauth/authorize-challenge", data={
            "client_id": MOBILE_CLIENT_ID, "username": phone, "password": PASSWORD, "scope": "openid offline_access",
            "code_challenge": pkce.challenge, "code_challenge_method": "S256"})
        code = r.json()["authorization_code"]
        first = (await client.post("/oauth/token", data={
            "grant_type": "authorization_code", "client_id": MOBILE_CLIENT_ID, "code": code,
            "code_verifier": pkce.verifier})).json()
        second = (await client.post("/oauth/token", data={
            "grant_type": "refresh_token", "client_id": MOBILE_CLIENT_ID, "refresh_token": first["refresh_token"]})).json()
        reuse = await client.post("/oauth/token", data={
            "grant_type": "refresh_token", "client_id": MOBILE_CLIENT_ID, "refresh_token": first["refresh_token"]})
        assert reuse.json()["error"] == "invalid_grant"

        text = logged()
        assert "/oauth/token" in text  # the access log did run
        for secret in (PASSWORD, otp, code, pkce.verifier, first["refresh_token"], second["refresh_token"],
                       first["access_token"], second["access_token"]):
            assert secret not in text

    async def test_client_secrets(self, client, factory, logged):
        developer = await factory.account(roles=["developer"])
        headers = await factory.headers(developer, ["openid"])
        created = (await client.post("/v1/developer/miniapps", json=APP_BODY, headers=headers)).json()
        rotated = (await client.post(f"/v1/developer/miniapps/{created['id']}/secret", headers=headers)).json()
        basic = {"Authorization": "Basic " + __import__("base64").b64encode(
            f"{created['client_id']}:{rotated['client_secret']}".encode()).decode()}
        await client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "open311"}, headers=basic)
        text = logged()
        for secret in (created["client_secret"], rotated["client_secret"]):
            assert secret not in text

    async def test_health_share_codes(self, client, ctx, factory, logged):
        async with ctx.sessionmaker() as s:
            await import_bundle(s, bundle(patient("p-lan", CITIZEN_NID, birth="1988-04-12", name="Nguyễn Thị Lan")))
            await s.commit()
        citizen = await factory.account(level=2, national_id=CITIZEN_NID, birth_date=date(1988, 4, 12))
        headers = await factory.headers(citizen, ["health.read"])
        share = (await client.post("/v1/health/shares", json={"expires_in": 600}, headers=headers)).json()
        doctor = await client.get(share["url"].replace(ctx.settings.resolved_issuer, ""),
                                  headers={"Accept": "application/fhir+json"})
        assert doctor.status_code == 200, doctor.text
        await client.delete(f"/v1/health/shares/{share['code']}", headers=headers)
        text = logged()
        assert "/v1/health/shared/" in text  # the doctor's read was logged, without the code
        assert share["code"] not in text
