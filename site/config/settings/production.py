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
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
