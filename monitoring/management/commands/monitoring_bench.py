"""Benchmark and agreement check of the Cardinal procurement indicators over an OCDS file, and alert latency.

    python manage.py monitoring_bench --ocds FILE.jsonl [--settings INI] [--cardinal OUTPUT.json] [--compat]
                                      [--repeat 5] [--replicate K] [--latency N]

Each timed pass reads the file (only the fields Cardinal reads), applies Cardinal's `prepare` step when a
settings file is given (its defaults, codelist maps and corrections, as Cardinal's documented workflow does
before `indicators`), and evaluates all eleven indicators; processes per second is the median pass, on one
core; peak memory is the whole process's peak RSS. With --cardinal, the agreement with Cardinal's output per
indicator over every group (OCID, Buyer, ProcuringEntity, Tenderer): matched, missed, extra, and flags found
by both with another value.

--latency N sends N land records through the ingest API (POST /api/monitoring/land, a source's Bearer token)
of the real ASGI application, in process (Channels' HttpCommunicator and WebsocketCommunicator), and times
each until its alert reaches a signed-in inspector on the staff WebSocket (/ws/live/). It runs in a
throwaway test database created and destroyed for the run, with the configured channel layer (in memory, or
Redis when REDIS_URL is set, under a prefix of its own) and immediate tasks, so it leaves no data behind.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import configparser
import json
import math
import os
import resource
import time
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.ocds import ReadReport, iter_cardinal_releases
from monitoring.rules.prepare import PrepareSettings, prepare_release
from monitoring.rules.procurement import GROUPS, INDICATORS, CardinalPopulation, CardinalResult, CardinalSettings

CARDINAL_INDICATORS = ["R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058"]
LAND_SAMPLE = Path(__file__).resolve().parents[2] / "demo_data" / "land_transfer_results_2018.jsonl"
LATENCY_RECORD_ID = "1306262018B00730"  # a real Dingxing (Baoding) record; 协议出让 of its use raises L001 at once


def run_pass(
    path: Path, settings: CardinalSettings, prepare: PrepareSettings | None, *, compat: bool, replicate: int = 1
):
    """One pass over the file: read, prepare, evaluate. Returns the result, the read report, warnings counted.

    With `replicate` K > 1 the file is read K times, copy k's ocids suffixed `#k`: K times the processes.
    """
    report = ReadReport()
    population = CardinalPopulation(settings, compat=compat)
    warnings = 0
    for copy in range(replicate):
        with path.open("rb") as handle:
            for release in iter_cardinal_releases(handle, report):
                if copy:
                    release["ocid"] = f"{release['ocid']}#{copy}"
                if prepare is not None:
                    release, found = prepare_release(release, prepare)
                    warnings += len(found)
                population.add(release)
    return population.result(), report, warnings


def agreement(ours: CardinalResult, theirs: dict) -> dict[str, dict[str, int]]:
    """Per indicator, over all groups: flags in both with the same value, only theirs, only ours, other value."""
    figures = {code: {"matched": 0, "missed": 0, "extra": 0, "different": 0} for code in CARDINAL_INDICATORS}
    mine = ours.to_cardinal()
    for group in GROUPS:
        a, b = mine.get(group, {}), theirs.get(group, {})
        for key in set(a) | set(b):
            for code in set(a.get(key, {})) | set(b.get(key, {})):
                if code not in figures:
                    continue
                x, y = a.get(key, {}).get(code), b.get(key, {}).get(code)
                if x is None:
                    figures[code]["missed"] += 1
                elif y is None:
                    figures[code]["extra"] += 1
                elif math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    figures[code]["matched"] += 1
                else:
                    figures[code]["different"] += 1
    return figures


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--ocds", help="compiled releases, one per line")
        parser.add_argument(
            "--cardinal-settings", dest="ini", help="Cardinal settings file (INI); --settings also works"
        )
        parser.add_argument("--cardinal", help="Cardinal's output (JSON) to compare with")
        parser.add_argument("--compat", action="store_true", help="Cardinal-compatible mode")
        parser.add_argument("--repeat", type=int, default=5, help="timed passes; the median is reported")
        parser.add_argument(
            "--replicate", type=int, default=1, metavar="K", help="read the file K times as K times the processes"
        )
        parser.add_argument("--latency", type=int, default=0, metavar="N", help="time N ingested records to alert")
        parser.add_argument(
            "--latency-database",
            choices=["throwaway", "current"],
            default="throwaway",
            help="throwaway (default): a test database made and dropped for the run; current: the configured "
            "one, for tests that already run in a disposable database",
        )
        parser.add_argument("--latency-timeout", type=float, default=10.0, help="seconds to wait for one alert")

    def handle(self, *args, ocds, ini, cardinal, compat, repeat, latency, latency_database, latency_timeout, **kw):
        replicate = max(1, kw.get("replicate") or 1)
        if not ocds and not latency:
            raise CommandError("give --ocds FILE, --latency N, or both")
        result: dict = {}
        if ocds:
            result.update(
                self.bench_indicators(
                    Path(ocds), ini, cardinal, compat=compat, repeat=max(1, repeat), replicate=replicate
                )
            )
        if latency:
            timings = self.bench_latency(latency, database=latency_database, timeout=latency_timeout)
            result["latency_records"] = len(timings)
            result["latency_p50_ms"] = round(percentile(timings, 50), 1)
            result["latency_p95_ms"] = round(percentile(timings, 95), 1)
            self.stdout.write(
                f"latency over {len(timings)} records: median {result['latency_p50_ms']} ms, "
                f"p95 {result['latency_p95_ms']} ms"
            )
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    # Indicators --------------------------------------------------------------------------------------------------

    def bench_indicators(
        self, path: Path, ini: str | None, cardinal: str | None, *, compat: bool, repeat: int, replicate: int = 1
    ):
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        if ini and not Path(ini).exists():
            raise CommandError(f"{ini}: no such file")
        text = Path(ini).read_text(encoding="utf-8") if ini else ""
        try:
            settings = CardinalSettings.from_ini(text) if ini else CardinalSettings()
            prepare = PrepareSettings.from_ini(text) if ini else None
        except (ValueError, configparser.Error) as error:
            raise CommandError(f"{ini}: {error}")
        timings, cpu_timings = [], []
        for run in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            outcome, report, warnings = run_pass(path, settings, prepare, compat=compat, replicate=replicate)
            timings.append(time.perf_counter() - started)
            cpu_timings.append(time.process_time() - cpu_started)
            self.stdout.write(
                f"  pass {run + 1}/{repeat}: {report.releases} processes in {timings[-1] * 1000:.1f} ms "
                f"({cpu_timings[-1] * 1000:.1f} ms of CPU)"
            )
        median = sorted(timings)[len(timings) // 2]
        cpu_median = sorted(cpu_timings)[len(cpu_timings) // 2]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for problem in report.problems:
            self.stderr.write(f"{path}: {problem}")
        figures = {
            "processes": report.releases,
            "processes_per_s": round(report.releases / median) if median else None,
            # CPU time of this (single-threaded) process: the figure on one core when the machine is shared.
            "processes_per_cpu_s": round(report.releases / cpu_median) if cpu_median else None,
            "median_pass_ms": round(median * 1000, 1),
            "peak_mb": round(peak_mb, 1),
            "compat": compat,
            "replicated": replicate,
            "prepared": prepare is not None,
            "prepare_warnings": warnings,
            "implemented": sorted(INDICATORS),
            "not_implemented": [code for code in CARDINAL_INDICATORS if code not in INDICATORS],
            "skipped_lines": len(report.problems),
            "flags": {group: len(outcome.group(group)) for group in GROUPS},
        }
        if cardinal:
            theirs = json.loads(Path(cardinal).read_text(encoding="utf-8"))
            figures["agreement"] = agreement(outcome, theirs)
            for code, counts in figures["agreement"].items():
                self.stdout.write(f"  {code}: {counts}")
        self.stdout.write(
            f"{figures['processes']} processes, median {median * 1000:.1f} ms a pass, "
            f"{figures['processes_per_s']} processes/s ({figures['processes_per_cpu_s']} per CPU second), "
            f"peak {figures['peak_mb']} MB"
        )
        return figures

    # Latency -----------------------------------------------------------------------------------------------------

    def bench_latency(self, count: int, *, database: str, timeout: float) -> list[float]:
        from asgiref.sync import async_to_sync
        from django.conf import settings as django_settings
        from django.test.utils import override_settings, setup_databases, teardown_databases

        layers = json.loads(json.dumps(django_settings.CHANNEL_LAYERS))
        config = layers["default"].setdefault("CONFIG", {})
        if "redis" in layers["default"]["BACKEND"].lower():
            config["prefix"] = f"sunshine-bench-{uuid.uuid4().hex[:8]}"  # no event reaches real staff
        overrides = override_settings(
            CHANNEL_LAYERS=layers,
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            STAFF_MFA_REQUIRED=False,
        )
        old_config = None
        with overrides:
            if database == "throwaway":
                self.stdout.write("latency: creating a throwaway database (migrations)…")
                old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
            try:
                return async_to_sync(self._measure)(count, timeout)
            finally:
                if old_config is not None:
                    teardown_databases(old_config, verbosity=0)
                    self.stdout.write("latency: throwaway database dropped")

    async def _measure(self, count: int, timeout: float) -> list[float]:
        import asyncio

        from channels.db import database_sync_to_async
        from channels.testing import HttpCommunicator, WebsocketCommunicator

        from config.asgi import application

        token, cookie, record = await database_sync_to_async(self._fixtures)()
        socket = WebsocketCommunicator(
            application, "/ws/live/", headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie.encode())]
        )
        connected, code = await socket.connect(timeout=timeout)
        if not connected:
            raise CommandError(f"latency: the staff WebSocket refused the inspector (close code {code})")
        await socket.receive_json_from(timeout=timeout)  # hello
        run = uuid.uuid4().hex[:6].upper()
        timings = []
        try:
            for index in range(count):
                payload = dict(record, idnumber=f"{LATENCY_RECORD_ID}-{run}{index:05d}", supply="协议出让")
                request = HttpCommunicator(
                    application,
                    "POST",
                    "/api/monitoring/land",
                    body=json.dumps(payload, ensure_ascii=False).encode(),
                    headers=[
                        (b"host", b"127.0.0.1"),
                        (b"content-type", b"application/json"),
                        (b"authorization", f"Bearer {token}".encode()),
                    ],
                )
                started = time.perf_counter()
                response_task = asyncio.ensure_future(request.get_response(timeout=timeout))
                while True:  # other events (the verification task) may come first
                    event = await socket.receive_json_from(timeout=timeout)
                    if event["event"] == "alert.raised" and event["payload"].get("rule") == "L001":
                        break
                elapsed = (time.perf_counter() - started) * 1000
                response = await response_task
                if response["status"] != 200:
                    raise CommandError(f"latency: record {index + 1}: HTTP {response['status']} {response['body']!r}")
                body = json.loads(response["body"])
                if event["payload"]["alert"] not in body["results"][0]["alerts"]:
                    raise CommandError(f"latency: record {index + 1}: the alert received is not the one raised")
                timings.append(elapsed)
                if (index + 1) % 10 == 0 or index + 1 == count:
                    self.stdout.write(f"  latency: {index + 1}/{count} records, last {elapsed:.1f} ms")
                while not await socket.receive_nothing(timeout=0.05):  # drain the rest of this record's events
                    await socket.receive_json_from(timeout=timeout)
        finally:
            await socket.disconnect()
        return timings

    def _fixtures(self) -> tuple[str, str, dict]:
        """An inspector of Baoding signed in (a session cookie), a land source's token, and a real record."""
        from django.conf import settings as django_settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.utils.module_loading import import_string

        from accounts.models import User
        from accounts.roles import Role, assign_role, ensure_role_groups
        from monitoring.models import Domain
        from monitoring.services import create_source
        from regions.models import Region
        from regions.services import load_regions, read_region_rows

        if not Region.objects.filter(code="130600").exists():
            load_regions(read_region_rows())
        ensure_role_groups()
        user = User.objects.create_user(
            email=f"bench-{uuid.uuid4().hex[:8]}@example.invalid",
            password=None,
            display_name="latency bench",
            jurisdiction_id="130600",
        )
        assign_role(user, Role.INSPECTOR)
        _, token = create_source(name=f"latency bench {os.getpid()}", domain=Domain.LAND)
        store = import_string(django_settings.SESSION_ENGINE + ".SessionStore")()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = django_settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        record = None
        with LAND_SAMPLE.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                if row.get("idnumber") == LATENCY_RECORD_ID:
                    record = row
                    break
        if record is None:
            raise CommandError(f"{LAND_SAMPLE}: record {LATENCY_RECORD_ID} not found")
        return token, f"{django_settings.SESSION_COOKIE_NAME}={store.session_key}", record
