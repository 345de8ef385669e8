"""Shared fixtures. Tests that need PostgreSQL, Redis or Chromium skip on a machine
without them, and fail under CI=true, where skipping would hide a broken pipeline."""

from __future__ import annotations

import os

import pytest

from accounts.roles import Role
from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip when `condition` is false, except in CI, where it is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason}: CI must run this test, not skip it")
    pytest.skip(reason)


@pytest.fixture
def regions(db):
    """A slice of the real GB/T 2260 file: Beijing and Baoding (Hebei) with their counties."""
    from regions.services import GB2260_CSV, load_regions, read_region_rows

    rows = [row for row in read_region_rows(GB2260_CSV) if row.code[:2] in {"00", "11", "13"}]
    load_regions(rows)
    from regions.models import Region

    return Region.objects


@pytest.fixture
def citizen(db):
    return UserFactory()


@pytest.fixture
def legislator(regions):
    return UserFactory(role=Role.LEGISLATOR, jurisdiction_id="110000")


@pytest.fixture
def inspector(regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600")


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API keeps an event loop running in the main
    thread while its browser is open, which the asyncio tests must not meet."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache; every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
