"""A minimal Django project serving django-oauth-toolkit's endpoints on PostgreSQL, configured
like ours where the toolkit allows: 15-minute access tokens, rotating refresh tokens, PKCE."""

import os

SECRET_KEY = "bench-django-secret-key-0123456789abcdef"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "urls"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "oauth2_provider"]
MIDDLEWARE: list[str] = []
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["BENCH_DB_NAME"],
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "CONN_MAX_AGE": 600,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 900,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "PKCE_REQUIRED": True,
    "SCOPES": {"openid": "OpenID", "offline_access": "refresh", "api": "API", "transit.validate": "validators"},
}
LOGGING = {"version": 1, "disable_existing_loggers": True}
