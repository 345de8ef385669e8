"""System checks for the secrets the platform cannot run with (`manage.py check`, `check --deploy`).

- FIELD_ENCRYPTION_KEY must be one or more Fernet keys (32 bytes, url-safe base64: 44 characters),
  comma-separated for rotation. Checked in every environment: with a bad key, filing a report fails.
- In deploy mode, DJANGO_SECRET_KEY and FIELD_ENCRYPTION_KEY must not be a value published in this
  repository (the development and test settings, .env.example, the Dockerfile's build-only keys).

The messages never repeat a key.
"""

from __future__ import annotations

import base64
import binascii
import re

from django.conf import settings
from django.core.checks import Error

# Published in this repository: anyone can read them, so no deployment may use them.
DEVELOPMENT_SECRET_KEYS = frozenset(
    {
        "dev-only-not-secret-sunshine-key-change-me-in-production-0123456789",  # settings/dev.py
        "test-only-sunshine-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",  # settings/test.py
        "change-me-to-50-random-characters",  # .env.example
        "collectstatic-only",  # Dockerfile
    }
)
DEVELOPMENT_FIELD_KEYS = frozenset(
    {
        "ZGV2LW9ubHktc3Vuc2hpbmUtZmllbGQta2V5LTAwMDA=",  # settings/dev.py
        "dGVzdC1vbmx5LXN1bnNoaW5lLWZpZWxkLWtleS0wMDA=",  # settings/test.py
        "Y29sbGVjdHN0YXRpYy1vbmx5LWtleS0wMDAwMDAwMDA=",  # Dockerfile
    }
)
_FERNET_KEY = re.compile(r"[A-Za-z0-9_-]{43}=")
GENERATE_HINT = (
    'Generate one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def is_fernet_key(key: str) -> bool:
    """32 bytes in url-safe base64, as `Fernet.generate_key()` makes them (and nothing the decoder would skip)."""
    if not _FERNET_KEY.fullmatch(key):
        return False
    try:
        return len(base64.urlsafe_b64decode(key)) == 32
    except (binascii.Error, ValueError):
        return False


def field_keys() -> list[str]:
    return [key.strip() for key in (getattr(settings, "FIELD_ENCRYPTION_KEY", None) or "").split(",") if key.strip()]


def check_field_encryption_key(app_configs=None, **kwargs) -> list[Error]:
    keys = field_keys()
    if not keys:
        return [
            Error(
                "FIELD_ENCRYPTION_KEY is not set: reporters' identities and attachments cannot be encrypted.",
                hint=GENERATE_HINT,
                id="core.E001",
            )
        ]
    bad = [str(position) for position, key in enumerate(keys, start=1) if not is_fernet_key(key)]
    if not bad:
        return []
    return [
        Error(
            f"FIELD_ENCRYPTION_KEY is not a valid Fernet key (key {', '.join(bad)} of {len(keys)}): "
            "filing a report would fail.",
            hint="A Fernet key is 32 random bytes in url-safe base64 (44 characters); several are separated "
            "by commas, the first encrypting. " + GENERATE_HINT,
            id="core.E001",
        )
    ]


def check_published_secrets(app_configs=None, **kwargs) -> list[Error]:
    """Deploy mode: no secret that this repository publishes."""
    errors = []
    if settings.SECRET_KEY in DEVELOPMENT_SECRET_KEYS:
        errors.append(
            Error(
                "DJANGO_SECRET_KEY is a development value published in this repository.",
                hint="Set DJANGO_SECRET_KEY to at least 50 random characters, e.g. "
                'python -c "import secrets; print(secrets.token_urlsafe(50))"',
                id="core.E002",
            )
        )
    if set(field_keys()) & DEVELOPMENT_FIELD_KEYS:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEY includes a development key published in this repository.",
                hint=GENERATE_HINT,
                id="core.E003",
            )
        )
    return errors
