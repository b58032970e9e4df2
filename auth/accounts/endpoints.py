"""Account endpoints (filled in by the accounts work)."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["accounts"])
