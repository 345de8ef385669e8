"""A Redis cache that degrades instead of failing: Redis down never fails a request.

Everything the platform keeps in the cache can be lost (Wagtail's site paths, rate-limit
counters, debounce flags). When Redis does not answer, each operation falls back to this
process's own memory, and Redis is left alone for `RETRY_SECONDS` before it is tried
again, so a dead Redis costs one short connect time-out, not one per call. Rate limits keep
counting in each process meanwhile: they still hold back abuse (per process), and a
submission is never refused because a counter could not be read.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}


class ReusedClients(RedisCacheClient):
    """One redis-py client per connection pool, made once, instead of one per cache call: redis-py 8 builds some
    170 response callbacks in every client's `__init__`, about a tenth of a comment submission's CPU. A client
    is thread-safe (it takes a connection from its pool for each command)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._class = ReusedClients
        self._fallback = LocMemCache(f"resilient-fallback-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        """True while Redis is being left alone after a failure (this process's memory stands in)."""
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except RedisError as error:
                with self._lock:
                    first = self._down_until == 0.0 or time.monotonic() - self._down_until > RETRY_SECONDS
                    self._down_until = time.monotonic() + RETRY_SECONDS
                if first:
                    logger.warning(
                        "Redis cache unavailable (%s); using this process's memory meanwhile.", type(error).__name__
                    )
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        """Deleted in Redis whenever it answers, even while it is being left alone: a key that reached Redis
        although its reply came too late (a loaded machine) would otherwise outlive this process's memory,
        e.g. a pending-run mark holding back every run asked for after it until it expired."""
        if not self.degraded:
            return self._call("delete", *args, **kwargs)
        self._fallback.delete(*args, **kwargs)
        try:
            return super().delete(*args, **kwargs)
        except RedisError:
            return False

    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list[str]:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> None:
        """Remove this cache's keys, those under its KEY_PREFIX, and only those: the Redis database may hold
        other things (the channel layer's groups, another site's cache, another test worker's keys), which
        Django's FLUSHDB would take too. Without a prefix, the whole database, as Django does."""
        self._fallback.clear()
        if not self.key_prefix:
            return self._call("clear")
        if self.degraded:
            return None
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        try:
            client = self._cache.get_client(None, write=True)
            batch: list[bytes] = []
            for key in client.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.unlink(*batch)
                    batch = []
            if batch:
                client.unlink(*batch)
        except RedisError:
            logger.warning("Redis cache unavailable while clearing it; its keys expire on their own.")
        return None


# --- reads that rarely change -----------------------------------------------------------------------------------


def read_through(key: str, compute: Any, timeout: int) -> Any:
    """`compute()`'s value, from the cache when it is there (None is never stored: it means "not cached")."""
    from django.core.cache import cache

    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=timeout)
    return value


def forget_when_changed(model: Any, key: str) -> None:
    """Empty `key` once a save or delete of a `model` row commits (before the commit, a reader could cache the old
    value again)."""
    from django.core.cache import cache
    from django.db import transaction
    from django.db.models.signals import post_delete, post_save

    def forget(**kwargs: Any) -> None:
        transaction.on_commit(lambda: cache.delete(key))

    post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"forget-saved:{key}")
    post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"forget-deleted:{key}")
