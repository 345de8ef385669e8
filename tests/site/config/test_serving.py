# ruff: noqa: S603  (the test starts the project's own commands)
"""The servers the project starts, started for real: `make run`'s and production's.

One SQLite database is migrated for the module; each test starts a server process on a free
loopback port with the same command line people use, talks to it over HTTP (and WebSocket),
stops it and reads everything it wrote.

- No process logs a client's address or a line per request (the report channel's promise).
- The production server does not believe X-Forwarded-For from anyone (no proxy is configured).
- `make run`'s server on SQLite takes 50 concurrent reporters without an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.reports.test_report_views import FORM as REPORT

ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
FORWARDED = "198.18.7.7"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """A migrated SQLite database with the regions and the working-day calendar."""
    folder = tmp_path_factory.mktemp("served")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        STATIC_ROOT=str(folder / "static"),
        PYTHONUNBUFFERED="1",
    )
    for command in (["migrate", "--no-input", "-v0"], ["load_regions"], ["load_calendar"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


class Server:
    def __init__(self, command: list[str], env: dict[str, str], port: int):
        self.port = port
        self.log = open(env["SERVER_LOG"], "w+b")  # noqa: SIM115
        # A session of its own, so stopping it stops its worker processes too.
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                assert self.process.poll() is None, self.output()
                time.sleep(0.2)
        raise AssertionError("the server did not start:\n" + self.output())

    def stop(self) -> str:
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)  # any worker left behind
        return self.output()

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")


class Browser:
    """Just enough of a browser: cookies (Secure ones too, behind a TLS proxy), CSRF, headers."""

    def __init__(self, port: int, *, https: bool, forwarded: str = FORWARDED):
        self.port, self.https, self.forwarded = port, https, forwarded
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        origin = f"{'https' if self.https else 'http'}://127.0.0.1:{self.port}"
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-For": self.forwarded, **(headers or {})}
        if self.https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(form).encode()
            sent.update(
                {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path}
            )
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, text

    def file_report(self) -> tuple[int, str]:
        self.request("GET", "/reports/new/")
        return self.request("POST", "/reports/new/", REPORT)


CODE = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")


def _visit_like_a_reporter(port: int, *, https: bool) -> dict[str, int]:
    browser = Browser(port, https=https)
    statuses = {
        "new": browser.request("GET", "/reports/new/")[0],
        "filed": browser.request("POST", "/reports/new/", REPORT)[0],
        "wrong_code": browser.request("POST", "/reports/check/", {"code": "0000-0000-0000-0000-0000"})[0],
        "missing": browser.request("GET", "/reports/no-such-page/")[0],
        "no_csrf": Browser(port, https=https).request("POST", "/reports/check/", {"code": "x"})[0],
    }
    return statuses


async def _websocket(port: int) -> None:
    import websockets

    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/live/", origin=f"http://127.0.0.1:{port}", open_timeout=10
        ) as socket_:
            await asyncio.wait_for(socket_.recv(), timeout=5)
    except Exception:  # noqa: S110 - anonymous visitors are turned away; only the logs matter here
        pass


def _assert_nothing_about_visitors(output: str, port: int) -> None:
    # The start-up lines name the address the server listens on; nothing else may name one.
    output = "\n".join(line for line in output.splitlines() if f":{port}" not in line and f"={port}" not in line)
    assert "127.0.0.1" not in output, output
    assert FORWARDED not in output, output
    assert "198.18." not in output, output
    assert "/reports/" not in output, output
    assert not re.search(r"\b(GET|POST) /", output), output


def test_make_runs_server_logs_no_visitor(environment, tmp_path):
    port = _free_port()
    env = {**environment, "SERVER_LOG": str(tmp_path / "dev.log")}
    server = Server([PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], env, port)
    try:
        statuses = _visit_like_a_reporter(port, https=False)
        asyncio.run(_websocket(port))
    finally:
        output = server.stop()

    assert statuses == {"new": 200, "filed": 200, "wrong_code": 400, "missing": 404, "no_csrf": 403}
    _assert_nothing_about_visitors(output, port)


@pytest.fixture(scope="module")
def production_environment(environment, tmp_path_factory):
    from cryptography.fernet import Fernet

    env = {
        **environment,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "serving-test-" + "k" * 50,
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
    }
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return env


def test_the_production_server_logs_no_visitor_and_believes_no_forwarded_header(production_environment, tmp_path):
    port = _free_port()
    env = {**production_environment, "BIND": f"127.0.0.1:{port}", "SERVER_LOG": str(tmp_path / "prod.log")}
    # The command line of the Dockerfile and docker-compose.yml.
    server = Server([PYTHON, "-m", "gunicorn", "-c", "site/config/gunicorn.conf.py"], env, port)
    try:
        statuses = _visit_like_a_reporter(port, https=True)
        asyncio.run(_websocket(port))
        # 30 wrong follow-up codes, each claiming another address
        throttled = []
        for n in range(30):
            browser = Browser(port, https=True, forwarded=f"198.18.9.{n}")
            browser.request("GET", "/reports/check/")
            throttled.append(browser.request("POST", "/reports/check/", {"code": "0000-0000-0000-0000-0000"})[0])
    finally:
        output = server.stop()

    assert statuses == {"new": 200, "filed": 200, "wrong_code": 400, "missing": 404, "no_csrf": 403}
    assert 429 in throttled[10:] and throttled[:9] == [400] * 9
    _assert_nothing_about_visitors(output, port)


def test_make_runs_server_takes_50_concurrent_reporters(environment, tmp_path):
    port = _free_port()
    env = {**environment, "SERVER_LOG": str(tmp_path / "dev-load.log")}
    server = Server([PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], env, port)
    try:
        with ThreadPoolExecutor(max_workers=50) as pool:
            results = list(
                pool.map(lambda n: Browser(port, https=False, forwarded=f"198.18.1.{n}").file_report(), range(50))
            )
    finally:
        output = server.stop()

    statuses = [status for status, _ in results]
    codes = {match.group(0) for _, page in results for match in [CODE.search(page)] if match}
    assert statuses == [200] * 50, output[-3000:]
    assert len(codes) == 50
    assert "database is locked" not in output
