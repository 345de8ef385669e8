"""Tests: whatever DATABASE_URL / REDIS_URL say (PostgreSQL and Redis in CI)."""

from config.env import ENV

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
# Tests sign staff in with force_login; the second-factor requirement has its own tests.
STAFF_MFA_REQUIRED = False
