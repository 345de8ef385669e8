"""Reads: the region index, built from the table once per process and kept in memory."""

from __future__ import annotations

import threading
import time

from django.db.models import Count, Max

from regions.index import RegionIndex
from regions.models import Region

# A process notices a `load_regions` run by another process within this many seconds; its own writes at once.
RECHECK_SECONDS = 30.0

_lock = threading.Lock()
_state: dict = {"index": None, "fingerprint": None, "checked": 0.0}


def _fingerprint() -> tuple:
    summary = Region.objects.aggregate(count=Count("code"), last=Max("code"))
    return summary["count"], summary["last"]


def region_index() -> RegionIndex:
    """Every region with its search keys, in memory: one small query at most every RECHECK_SECONDS."""
    with _lock:
        index: RegionIndex | None = _state["index"]
        now = time.monotonic()
        if index is not None and now - _state["checked"] < RECHECK_SECONDS:
            return index
        fingerprint = _fingerprint()
        if index is None or fingerprint != _state["fingerprint"]:
            index = RegionIndex(Region.objects.values_list("code", "name", "parent_id").order_by("code"))
            _state.update(index=index, fingerprint=fingerprint)
        _state["checked"] = now
        return index


def forget_region_index(**kwargs) -> None:
    """Signal receiver: a region was written or deleted in this process."""
    with _lock:
        _state.update(index=None, fingerprint=None, checked=0.0)


def full_names() -> dict[str, str]:
    """Every region's full name (`Region.full_name`, 广东省深圳市南山区) by code, from one query: for
    exports that name thousands of regions (asking each region for its parents costs a query a level)."""
    regions = {region.code: region for region in Region.objects.only("code", "name", "level", "parent_id")}
    for region in regions.values():
        if region.parent_id is not None:
            region.parent = regions[region.parent_id]  # the descriptor's cache: full_name walks up in memory
    return {code: region.full_name for code, region in regions.items()}
