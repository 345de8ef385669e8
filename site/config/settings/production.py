"""Production: docker-compose.yml. Refuses to start without its secrets."""

from django.core.exceptions import ImproperlyConfigured

from config.env import ENV

from .base import *  # noqa: F403

if not ENV.secret_key:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
if not ENV.field_encryption_key:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set in production.")

DEBUG = False
SECRET_KEY = ENV.secret_key

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# PostgreSQL connections from a pool in each process (psycopg_pool, Django 5.1's "pool" option): a request takes
# one and gives it back when it ends, so no request pays for a new server process and its sign-in, and however
# many requests a worker has in flight (each may run on a thread of its own under ASGI) it holds at most
# DATABASE_POOL connections; the others wait for one. DATABASE_POOL=0 opens one connection per request instead.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and ENV.database_pool > 0:  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405  (the pool keeps them; Django must not)
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {  # noqa: F405
        "min_size": min(2, ENV.database_pool),
        "max_size": ENV.database_pool,
        "timeout": 30,
        "max_idle": 300,
    }

STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
