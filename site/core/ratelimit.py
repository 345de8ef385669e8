"""Fixed-window counters in the cache (shared by every process when the cache is Redis)."""

from __future__ import annotations

from django.core.cache import cache


def hit(key: str, limit: int, seconds: int) -> bool:
    """Count one use of `key`; True while the window's count is within `limit`."""
    cache.add(key, 0, timeout=seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=seconds)
        used = 1
    return used <= limit


def exceeded(key: str, limit: int) -> bool:
    """Whether `key` is over `limit` already, without counting."""
    return cache.get(key, 0) >= limit
