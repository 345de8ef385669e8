"""Tests: whatever DATABASE_URL / REDIS_URL say (PostgreSQL and Redis in CI)."""

import os

from config.env import BASE_DIR, ENV

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-sunshine-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
FIELD_ENCRYPTION_KEY = ENV.field_encryption_key or "dGVzdC1vbmx5LXN1bnNoaW5lLWZpZWxkLWtleS0wMDA="
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ACCOUNT_RATE_LIMITS = False
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One connection per request, as before persistent connections: threads in tests (concurrent filers) leave
# none open behind them, so test databases can be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # A wait for a lock that nothing will release (a server process left inside a transaction) fails the
    # statement that waits after two minutes, naming it, instead of holding the whole run until CI kills it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c lock_timeout=120s"  # noqa: F405
# Tests sign staff in with force_login; the second-factor requirement has its own tests.
STAFF_MFA_REQUIRED = False

# pytest-xdist runs the suite in several worker processes (PYTEST_XDIST_WORKER=gw0, gw1, …). Each has its own
# test database already (pytest-django adds the suffix); here each gets its own cache keys and channel-layer
# groups in the Redis they share, and its own media folders in the checkout they share.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
OPEN_DATA_ROOT = BASE_DIR / "var" / "test" / "opendata"  # noqa: F405 - never the dev server's files
if XDIST_WORKER:
    if "KEY_PREFIX" in CACHES["default"]:  # noqa: F405
        CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": f"sunshine-{XDIST_WORKER}"}}  # noqa: F405
    if "prefix" in CHANNEL_LAYERS["default"].get("CONFIG", {}):  # noqa: F405
        layer = CHANNEL_LAYERS["default"]  # noqa: F405
        CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "prefix": f"sunshine-{XDIST_WORKER}"}}}
    MEDIA_ROOT = BASE_DIR / "var" / f"test-{XDIST_WORKER}" / "media"
    PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / f"test-{XDIST_WORKER}" / "private"
    OPEN_DATA_ROOT = BASE_DIR / "var" / f"test-{XDIST_WORKER}" / "opendata"
