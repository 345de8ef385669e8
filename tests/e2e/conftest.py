"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium); no browser is downloaded."""

import os
import shutil
import signal
import threading
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.conftest import require

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    require(shutil.which(CHROMIUM) is not None, f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        with _chromium_killed_after(30):
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    with _chromium_killed_after(30):
        context.close()


@contextmanager
def _chromium_killed_after(seconds: float):
    """Closing has no timeout in Playwright, and Chromium's close now and then never answers (more often on a
    loaded machine): past `seconds`, this process's Chromium processes are killed, which ends the wait."""
    timer = threading.Timer(seconds, _kill_chromium_below, args=(os.getpid(),))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _kill_chromium_below(root: int) -> None:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    for pid in parents:
        ancestor = parents.get(pid)
        while ancestor not in (None, 0, 1, root):
            ancestor = parents.get(ancestor)
        if ancestor == root and "chrom" in _name(pid):
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return ""


def _fresh_channel_layers() -> None:
    """In the forked server process: drop what the parent's threads and event loops own.

    The parent's channel layers are bound to its event loops, and asgiref's single thread for
    thread-sensitive sync code did not survive the fork: queued work would wait forever.
    """
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync
    from channels.layers import channel_layers

    channel_layers.backends = {}
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)


@pytest.fixture
def asgi_live_server(transactional_db):
    """The real ASGI application (HTTP and WebSocket) served by daphne in a child process.

    It shares the test database, so it needs a database that another process can open:
    PostgreSQL (as in CI) or a file, not SQLite in memory.
    """
    from functools import partial

    from channels.routing import get_default_application  # noqa: F401 (loads routing)
    from channels.testing.live import make_application
    from daphne.testing import DaphneProcess
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db import connection, connections

    require(
        not (connection.vendor == "sqlite" and connection.is_in_memory_db()),
        "the ASGI live server needs PostgreSQL (DATABASE_URL)",
    )
    connections.close_all()  # the child must open its own connections, not share the parent's sockets
    process = DaphneProcess(
        "127.0.0.1", partial(make_application, static_wrapper=ASGIStaticFilesHandler), setup=_fresh_channel_layers
    )
    # daemonic: never waited for when the worker exits
    process.daemon = True
    process.start()
    try:
        if not process.ready.wait(timeout=30):
            raise RuntimeError("daphne did not start")
        yield f"http://127.0.0.1:{process.port.value}"
    finally:
        _stop(process)


def _stop(process) -> None:
    """Stop the server for good before the test's database is flushed.

    A server left running (still inside a request or a task) keeps its database connection and the locks of
    its open transaction, and the flush's TRUNCATE would wait for them with no end.
    """
    process.terminate()
    process.join(timeout=10)
    if process.is_alive():
        process.kill()
        process.join(timeout=10)
