"""The processes a bench run starts, watches and always stops: Redis, the search emulator, the web
server, the task worker. Each runs in a process group of its own so that stopping it stops its
children (gunicorn's workers) and nothing else."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Service:
    """One child process, started in its own session, logging to a file."""

    def __init__(self, name: str, command: list[str], *, log: Path, env: dict[str, str] | None = None, port=None):
        self.name = name
        self.command = command
        self.log = log
        self.env = env
        self.port = port
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, wait: float = 60.0) -> float:
        """Start and wait until its port answers; returns the seconds it took."""
        started = time.monotonic()
        handle = self.log.open("ab")
        handle.write(f"\n--- start {time.strftime('%H:%M:%S')}: {' '.join(self.command)}\n".encode())
        handle.flush()
        self.process = subprocess.Popen(  # noqa: S603 - fixed commands built by the bench
            self.command,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        self.starts += 1
        if self.port is not None:
            deadline = started + wait
            while not port_open(self.port):
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} did not open port {self.port} within {wait:.0f} s; see {self.log}")
                time.sleep(0.05)
        return time.monotonic() - started

    def cpu_seconds(self) -> float:
        """CPU time used so far by the process and its living descendants (gunicorn's workers)."""
        if not self.running:
            return 0.0
        return process_tree_cpu(self.process.pid)

    def kill(self) -> None:
        """The fault: SIGKILL, as a crash or an out-of-memory kill would."""
        self._signal(signal.SIGKILL)
        self._wait(10)

    def stop(self, grace: float = 20.0) -> None:
        if not self.running:
            self.process = None
            return
        self._signal(signal.SIGTERM)
        if not self._wait(grace):
            self._signal(signal.SIGKILL)
            self._wait(10)
        self.process = None

    def _signal(self, number: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)  # the group this process leads (start_new_session)

    def _wait(self, seconds: float) -> bool:
        if self.process is None:
            return True
        try:
            self.process.wait(timeout=seconds)
            return True
        except subprocess.TimeoutExpired:
            return False


def process_tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, NotADirectoryError):
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


class PostgresCpu:
    """CPU seconds of the PostgreSQL server processes serving one database (its backends), from /proc.

    Sampled (`sample()`, a few times a second): a backend is found by its title ("postgres: user DATABASE
    host(port) ..."), and its latest reading is kept after it ends, so a connection that lives less than a
    sampling interval is missed and one that ends loses at most its last interval. With pooled connections
    the backends live as long as the server and nothing is missed. The server's shared processes (WAL
    writer, checkpointer) are not counted: they are not one database's.
    """

    def __init__(self, database: str) -> None:
        self.title = f" {database} ".encode()
        self.readings: dict[tuple[int, str], int] = {}  # (pid, start time) → utime + stime in ticks
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.excluded: set[int] = set()  # backends of a process measured apart (bench.load --during)
        self.postmaster: int | None = None

    def sample(self) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                title = (entry / "cmdline").read_bytes()
                if self.postmaster is None and title.split(b"\0")[0].endswith(b"/postgres") and b"-D" in title:
                    self.postmaster = int(entry.name)  # the server itself: `postgres -D …`
                if not title.startswith(b"postgres:") or self.title not in title:
                    continue
                stat = (entry / "stat").read_text()
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            self.readings[(int(entry.name), fields[19])] = int(fields[11]) + int(fields[12])

    def ended_seconds(self) -> float:
        """CPU of the server's backends that have ended, of every database (the postmaster's reaped children):
        with a connection per request most of a database's CPU is there, with other databases' as well."""
        if self.postmaster is None:
            return 0.0
        try:
            stat = Path(f"/proc/{self.postmaster}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return 0.0
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[13]) + int(fields[14])) / self.ticks  # cutime, cstime

    def seconds(self) -> float:
        return sum(used for (pid, _), used in self.readings.items() if pid not in self.excluded) / self.ticks


def redis_service(port: int, log: Path) -> Service:
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    return Service("redis", command + ["--daemonize", "no"], log=log, port=port)


def noida_binary() -> str | None:
    """The Elasticsearch emulator's own binary (as tests/search/conftest.py starts it)."""
    try:
        import noida_db
    except ImportError:
        return None
    binary = Path(noida_db.__file__).with_name("noida-db")
    return str(binary) if binary.exists() else None


def search_service(port: int, data_dir: Path, log: Path) -> Service:
    binary = noida_binary()
    if binary is None:
        raise RuntimeError("noida-db (the Elasticsearch emulator) is not installed in this environment")
    command = [binary, "start", "--only", "elasticsearch", "--host", "127.0.0.1"]
    command += ["--elasticsearch-port", str(port), "--data-dir", str(data_dir)]
    return Service("search", command, log=log, port=port)
