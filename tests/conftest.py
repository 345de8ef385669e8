"""Shared fixtures. Tests that need PostgreSQL, Redis or Chromium skip on a machine
without them, and fail under CI=true, where skipping would hide a broken pipeline."""

from __future__ import annotations

import os
from collections.abc import Callable
from io import StringIO

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


class DemoDatabase:
    """The demo (`load_demo`) loaded once into the test database, in a transaction the demo tests share.

    Each test that asks for `demo_content` runs in a savepoint of its own (pytest-django's `db`), rolled back
    after it, so every one of them sees the demo just as `load_demo` left it. After the last of them the
    transaction is rolled back, and the tests after them find the database as usual. They run one after
    another (see `pytest_collection_modifyitems`); should another test come between, the demo is rolled back
    before it and loaded again after it.
    """

    def __init__(self, blocker, load: Callable[[], str]) -> None:
        self._blocker = blocker
        self._load = load
        self._atomic = None
        self.output = ""  # what `load_demo` printed
        self.loads = 0

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self) -> None:
        if self._atomic is not None:
            return
        from django.db import transaction

        with self._blocker.unblock():
            atomic = transaction.atomic()
            atomic._from_testcase = True  # durable blocks inside stay allowed, as inside a test's own transaction
            atomic.__enter__()
            self._atomic = atomic
            try:
                self.output = self._load()
            except BaseException:
                self.close()
                raise
            self.loads += 1

    def close(self) -> None:
        if self._atomic is None:
            return
        from django.db import transaction

        atomic, self._atomic = self._atomic, None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _load_demo() -> str:
    from django.core.management import call_command

    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


DEMO = pytest.StashKey[DemoDatabase]()
DEMO_FIXTURE = "demo_content"


@pytest.fixture(scope="session")
def _demo_database(request, django_db_setup, django_db_blocker):
    demo = DemoDatabase(django_db_blocker, _load_demo)
    demo.open()
    request.config.stash[DEMO] = demo
    yield demo
    demo.close()
    del request.config.stash[DEMO]


@pytest.fixture
def demo_content(_demo_database, db) -> DemoDatabase:
    """The demo content and accounts, loaded once per test session (per xdist worker); the test's own
    changes are rolled back after it. `.output` is what `load_demo` printed."""
    assert _demo_database.is_open
    return _demo_database


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    demo = item.config.stash.get(DEMO, None)
    if demo is not None and DEMO_FIXTURE in item.fixturenames:
        demo.open()  # again, if a test without the demo ran since the last one with it


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    demo = item.config.stash.get(DEMO, None)
    if demo is not None and (nextitem is None or DEMO_FIXTURE not in nextitem.fixturenames):
        demo.close()
    return result


@pytest.hookimpl(trylast=True)  # after pytest-django's, which puts transactional tests after the others
def pytest_collection_modifyitems(config, items):
    """The demo tests first, one after another, so the demo is loaded once; browser tests last:
    Playwright's sync API keeps an event loop running in the main thread while its browser is
    open, which the asyncio tests must not meet. Under pytest-xdist (`make test`: -n with
    `--dist loadgroup --no-loadscope-reorder`) the demo tests stay together on one worker, and
    whichever worker takes a browser test takes nothing but browser tests after it."""
    items.sort(key=lambda item: (item.get_closest_marker("e2e") is not None, DEMO_FIXTURE not in item.fixturenames))
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            # A browser test drives Chromium, a server thread or process and Redis on a machine CI may share:
            # one that fails or hangs (pytest-timeout) gets one more try, reported as a rerun; twice fails.
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))
        if DEMO_FIXTURE in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("demo"))
            if config.getoption("loadgroup", default=False):
                _suffix_node_id(item, "demo")


def _suffix_node_id(item, group: str) -> None:
    """What pytest-xdist's loadgroup does with an xdist_group marker: `<nodeid>@<group>`, which its
    scheduler reads. pytest 9.2 keeps node ids in `_id`, which xdist 3.8 does not update
    (pytest-dev/pytest-xdist#1386), so the markers alone would not group anything; done here, it
    does not depend on the order of the two hooks."""
    if "@" in item.nodeid.rpartition("]")[2]:
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest before 9.2: xdist suffixes `_nodeid` itself
        return
    item._id = NodeId.parse(f"{item.nodeid}@{group}")


def clear_cache() -> None:
    """Empty the cache. On Redis only the keys under this process's KEY_PREFIX go: the pytest-xdist
    workers share one Redis database, each under a prefix of its own (config.settings.test)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import RedisError

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    fallback = getattr(cache, "_fallback", None)  # core.cache.ResilientRedisCache's memory while Redis is down
    if fallback is not None:
        fallback.clear()
    try:
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    except RedisError:
        cache.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache; every test starts with none."""
    clear_cache()
    yield


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test gets its own channel layer: a Redis layer keeps locks bound to the event loop that first used it,
    and every async test runs on a loop of its own (a layer used by an earlier test fails in the next one)."""
    from channels.layers import channel_layers

    channel_layers.backends = {}
    yield
    channel_layers.backends = {}
