"""OpenID Connect provider endpoints, one router per spec, gathered here for the module."""

from fastapi import APIRouter

from auth.oidc.authorize import router as authorize_router
from auth.oidc.challenge import router as challenge_router
from auth.oidc.discovery import router as discovery_router
from auth.oidc.logout import router as logout_router
from auth.oidc.me_sessions import router as me_sessions_router
from auth.oidc.token_endpoint import router as token_router
from auth.oidc.token_management import router as token_management_router
from auth.oidc.userinfo import router as userinfo_router

router = APIRouter()
for sub_router in (
    authorize_router,
    challenge_router,
    discovery_router,
    logout_router,
    me_sessions_router,
    token_router,
    token_management_router,
    userinfo_router,
):
    router.include_router(sub_router)
