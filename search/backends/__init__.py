"""Search backends, chosen by dotted path in `settings.SEARCH_BACKEND["BACKEND"]` (like Django's caches)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from search.backends.base import SearchBackend


@cache
def _load(path: str, url: str | None, prefix: str, options: tuple = ()) -> SearchBackend:
    return import_string(path)(url=url, index_prefix=prefix, **dict(options))


def get_backend(config: Mapping[str, Any] | None = None) -> SearchBackend:
    chosen: Mapping[str, Any] = config or settings.SEARCH_BACKEND
    return _load(
        chosen["BACKEND"],
        chosen.get("URL"),
        chosen.get("INDEX_PREFIX", "sunshine"),
        tuple(sorted((chosen.get("OPTIONS") or {}).items())),
    )


def _reset(*, setting, **kwargs):
    if setting == "SEARCH_BACKEND":
        _load.cache_clear()


setting_changed.connect(_reset)
