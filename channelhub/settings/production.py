"""Production: gunicorn, Celery worker and beat (docker-compose.yml). Refuses to start without SECRET_KEY."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DEFAULT_FILE_STORAGE_SETTING,
    MIDDLEWARE,
    SECRET_KEY,
    TRUSTED_PROXIES,
    TRUSTED_PROXY_COUNT,
    env_bool,
    env_int,
)

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production settings need a long random SECRET_KEY in the environment, "
        'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
    )

DEBUG = env_bool("DEBUG", False)

# X-Forwarded-Proto is believed only when the deployment names the proxies in front of the app
# (base.TRUSTED_PROXY_COUNT > 0, or TRUSTED_PROXIES): without a proxy that overwrites it, any client could
# send the header and pass a plain-HTTP request off as HTTPS.
if TRUSTED_PROXY_COUNT > 0 or TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Static files straight from gunicorn, compressed and with far-future cache headers.
MIDDLEWARE = [*MIDDLEWARE[:1], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_SETTING,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The login limits read the client's address as base.TRUSTED_PROXY_COUNT / TRUSTED_PROXIES say
# (channelhub.accounts.lockout.client_address): never from a header a client may write.

EMAIL_TIMEOUT = 10
