"""Benchmark and agreement check of the Cardinal procurement indicators over an OCDS file, and alert latency.

    python manage.py monitoring_bench --ocds FILE.jsonl [--settings INI] [--cardinal OUTPUT.json] [--compat]
                                      [--repeat 5] [--replicate K] [--latency N]

The indicator passes are `monitoring.bench`'s, which also runs them without Django as a whole process
(`python -m monitoring.bench --ocds FILE --compat`: the figure to compare with Cardinal's own run). Each timed pass reads the file (only the fields Cardinal reads), applies Cardinal's `prepare` step when a
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

import json
import os
import time
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring import bench
from monitoring.bench import percentile

LAND_SAMPLE = Path(__file__).resolve().parents[2] / "demo_data" / "land_transfer_results_2018.jsonl"
LATENCY_RECORD_ID = "1306262018B00730"  # a real Dingxing (Baoding) record; 协议出让 of its use raises L001 at once


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
        try:
            return bench.bench_indicators(
                path,
                ini,
                cardinal,
                compat=compat,
                repeat=repeat,
                replicate=replicate,
                out=self.stdout.write,
                err=self.stderr.write,
            )
        except bench.BenchError as error:
            raise CommandError(str(error)) from error

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
