"""Clients, a user per chain and one access + refresh token pair per chain, as a sign-in would
leave them. Run with ``DJANGO_SETTINGS_MODULE=settings``; prints JSON."""

import json
import secrets
import sys
from datetime import timedelta

import django

django.setup()

from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken

count = int(sys.argv[1])
server_secret = secrets.token_urlsafe(32)
# Plain stored secrets: the toolkit's default (a Django password hash, PBKDF2 with 1,000,000
# rounds) would cap client credentials at the hash rate; ours stores SHA-256 digests.
Application.objects.create(
    client_id="bench-server", client_secret=server_secret, hash_client_secret=False, name="bench server",
    client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
)
mobile = Application.objects.create(
    client_id="bench-mobile", name="bench mobile", client_type=Application.CLIENT_PUBLIC,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, hash_client_secret=False, client_secret="",
    redirect_uris="http://127.0.0.1/callback",
)
tokens = []
User = get_user_model()
for i in range(count):
    user = User.objects.create(username=f"citizen-{i}")
    access = AccessToken.objects.create(
        user=user, application=mobile, token=secrets.token_urlsafe(32),
        expires=timezone.now() + timedelta(minutes=15), scope="openid offline_access api",
    )
    refresh = RefreshToken.objects.create(user=user, application=mobile, token=secrets.token_urlsafe(32),
                                          access_token=access)
    tokens.append(refresh.token)
print(json.dumps({"server_client_secret": server_secret, "refresh_tokens": tokens}))
