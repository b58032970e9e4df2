"""OpenID Connect provider endpoints (filled in by the OIDC work)."""

from fastapi import APIRouter

router = APIRouter(tags=["oidc"])
