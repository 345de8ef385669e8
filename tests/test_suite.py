"""The suite's own rules: skips go through the CI guard, the demo is loaded once and rolled back after the
tests that use it, and pytest-xdist workers keep out of each other's cache, channel groups and files."""

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from accounts.models import User
from tests.conftest import DemoDatabase, clear_cache, require

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SKIP = re.compile(r"pytest\.(skip|importorskip)\(|pytest\.mark\.(skip|skipif)\b")


def test_every_skip_goes_through_the_ci_guard():
    # given: every test module and conftest except the guard's own
    sources = [path for path in TESTS.rglob("*.py") if path not in {TESTS / "conftest.py", Path(__file__)}]

    # then: none skips by itself (a skip in CI would hide a missing service or data set)
    bypassing = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SKIP.search(line)
    ]
    assert bypassing == [], "use tests.conftest.require(condition, reason) instead"


def test_the_demo_database_is_loaded_once_and_rolled_back_after(django_db_setup, django_db_blocker):
    # given
    def load() -> str:
        User.objects.create(email="demo-probe@example.cn")
        return "loaded"

    demo = DemoDatabase(django_db_blocker, load)

    # when: opened twice (two demo tests in a row)
    demo.open()
    demo.open()
    with django_db_blocker.unblock():
        loaded = User.objects.filter(email="demo-probe@example.cn").count()
    demo.close()

    # then: loaded once, and gone after
    assert (loaded, demo.loads, demo.output) == (1, 1, "loaded")
    with django_db_blocker.unblock():
        assert not User.objects.filter(email="demo-probe@example.cn").exists()


def _test_settings(**environ: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", REDIS_URL="redis://127.0.0.1:6379/15", **environ)
    code = (
        "import json, sys; sys.path[:0] = ['.', 'site']\n"
        "from django.conf import settings as s\n"
        "print(json.dumps([s.CACHES['default']['KEY_PREFIX'], s.CHANNEL_LAYERS['default']['CONFIG']['prefix'],"
        " str(s.MEDIA_ROOT), str(s.PRIVATE_MEDIA_ROOT)]))"
    )
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return dict(zip(["cache", "channels", "media", "private"], json.loads(out), strict=True))


def test_each_xdist_worker_has_its_own_cache_keys_channel_groups_and_media_folders():
    alone, worker = _test_settings(), _test_settings(PYTEST_XDIST_WORKER="gw3")

    assert (alone["cache"], alone["channels"]) == ("sunshine", "sunshine")
    assert (worker["cache"], worker["channels"]) == ("sunshine-gw3", "sunshine-gw3")
    assert worker["media"] == str(ROOT / "var" / "test-gw3" / "media")
    assert worker["private"] == str(ROOT / "var" / "test-gw3" / "private")
    assert alone["media"] != worker["media"] and alone["private"] != worker["private"]


@pytest.mark.needs_redis
def test_clearing_the_cache_leaves_another_workers_keys_alone():
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    other = f"sunshine-elsewhere:1:{uuid.uuid4().hex}"
    client.set(other, b"1", ex=60)
    mine = f"probe-{uuid.uuid4().hex}"
    cache.set(mine, "阳光", 60)

    clear_cache()

    try:
        assert cache.get(mine) is None
        assert client.get(other) == b"1"
    finally:
        client.delete(other)
