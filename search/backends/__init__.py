"""Search backends, chosen by dotted path in `settings.SEARCH_BACKEND["BACKEND"]` (like Django's caches)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from search.backends.base import SearchBackend


@cache
def _load(path: str, url: str | None, prefix: str, options: tuple = ()) -> SearchBackend:
    return import_string(path)(url=url, index_prefix=prefix, **dict(options))


def get_backend(config: dict | None = None) -> SearchBackend:
    config = config or settings.SEARCH_BACKEND
    return _load(
        config["BACKEND"],
        config.get("URL"),
        config.get("INDEX_PREFIX", "sunshine"),
        tuple(sorted((config.get("OPTIONS") or {}).items())),
    )


def _reset(*, setting, **kwargs):
    if setting == "SEARCH_BACKEND":
        _load.cache_clear()


setting_changed.connect(_reset)
