"""Search fixtures: an Elasticsearch-compatible server (the noida-db emulator) on 127.0.0.1, started
and stopped here, and the backends the contract suite runs against."""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import require


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def noida_binary() -> str | None:
    """The emulator's own binary (not the Python launcher, so that stopping it stops the server)."""
    try:
        import noida_db
    except ImportError:
        return None
    binary = Path(noida_db.__file__).with_name("noida-db")
    return str(binary) if binary.exists() else None


class SearchServer:
    """The emulator as a child process; `stop()` and `start()` simulate an outage."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = noida_binary()
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
            [binary, "start", "--only", "elasticsearch", "--host", "127.0.0.1"]
            + ["--elasticsearch-port", str(self.port), "--data-dir", str(self.data_dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the search emulator did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def search_server(tmp_path_factory):
    require(noida_binary() is not None, "noida-db (the Elasticsearch emulator) is not installed")
    server = SearchServer(tmp_path_factory.mktemp("noida"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def es_backend(search_server):
    from search.backends.elasticsearch import ElasticsearchBackend

    server = search_server
    if server.process is None:
        server.start()
    return ElasticsearchBackend(url=server.url, index_prefix=f"t{uuid.uuid4().hex[:10]}", refresh=True)


@pytest.fixture
def db_backend(db):
    from search.backends.database import DatabaseBackend

    return DatabaseBackend()


@pytest.fixture(params=["database", "elasticsearch"])
def backend(request):
    return request.getfixturevalue("db_backend" if request.param == "database" else "es_backend")


from tests.consultations.conftest import make_draft  # noqa: E402, F401 - drafts with real articles, for indexing tests
