"""Keyed digests: lookups and counters over a value (a code, a network, an account) without storing it."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def keyed_digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 under a key derived from SECRET_KEY for one purpose: lookups without storing the value."""
    key = hashlib.sha256(f"sunshine:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
