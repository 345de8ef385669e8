"""Encryption at rest for reporters' identities and attachments (Fernet, from `cryptography`).

FIELD_ENCRYPTION_KEY may hold several comma-separated keys: the first encrypts, all decrypt,
so keys can be rotated.
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.digests import keyed_digest


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])
    except ValueError as error:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be url-safe base64 Fernet keys") from error


def fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEY
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set")
    return _fernet(keys)


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return fernet().decrypt(token)


def encrypt_text(text: str) -> str:
    return encrypt_bytes(text.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token.encode("ascii")).decode("utf-8")


def encrypt_json(value: dict) -> str:
    return encrypt_text(json.dumps(value, ensure_ascii=False, sort_keys=True))


def decrypt_json(token: str) -> dict:
    return json.loads(decrypt_text(token))


__all__ = ["InvalidToken", "decrypt_json", "encrypt_json", "keyed_digest"]
