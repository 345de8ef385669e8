"""Load and fault benchmark: the platform under concurrent comment, report and signature traffic.

    .venv/bin/python -m bench.load                      # production stack, 1/10/50 clients, 20 s each
    .venv/bin/python -m bench.load --fault redis        # Redis killed a third into each level, back at two thirds
    .venv/bin/python -m bench.load --fault search       # the same for the search server
    .venv/bin/python -m bench.load --server dev         # the `make run` way: SQLite, runserver, no Redis

It starts what production runs (PostgreSQL database of its own, its own Redis, the Elasticsearch
emulator, `gunicorn -c site/config/gunicorn.conf.py` with its Uvicorn workers, `manage.py db_worker`,
an SMTP sink for the confirmation mails), sets up the data it drives, runs each scenario at each
number of concurrent clients for a fixed time over loopback, counts what the database stored, and
stops everything it started. The last line printed is one JSON object. See docs/reliability.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ipaddress
import json
import math
import os
import random
import re
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

from bench.client import Browser, HttpError, MailSink, Response, csrf_token
from bench.services import ROOT, PostgresCpu, Service, free_port, noida_binary, redis_service, search_service
from bench.stats import Level, json_line, table, targets

SCENARIOS = ("comments", "reports", "signatures")
COMMENTS_PER_USER = 8  # under the per-user limit (10 per 10 minutes): the normal case is never limited
PENDING_PER_CLIENT = 5  # signatures a client has signed and awaits the mail for, before signing more
RNG = random.Random(2026)  # noqa: S311 - test data, the same mix on every run
DURING_APP = "bench-during"  # application_name of the --during command's database connections
BENCH_NETWORK = ipaddress.ip_network("198.18.0.0/15")  # RFC 2544 benchmarking addresses (a header only)
# Variables config/env.py (and the server command) read: none leaks in from the caller's shell.
APP_VARIABLES = (
    "DJANGO_",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "ELASTICSEARCH_URL",
    "FIELD_ENCRYPTION_KEY",
    "TASK_BACKEND",
    "EMAIL_",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
    "STAFF_MFA_REQUIRED",
    "TRUSTED_PROXIES",
    "BIND",
    "WEB_CONCURRENCY",
    "WEB_TIMEOUT",
)
ERROR_ITEM = re.compile(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', re.S)
FOLLOW_UP_CODE = re.compile(r'data-testid="follow-up-code">\s*([0-9A-Z-]{20,30})\s*<')

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
UNITS = ["自然资源局", "住房和城乡建设局", "交通运输局", "市场监督管理局", "卫生健康委员会", "教育局", "财政局"]
POSTS = ["局长", "副局长", "科长", "主任", "副主任", "处长"]
DEEDS = [
    "在土地出让中为亲属经营的公司提供便利，",
    "多次收受施工单位赠送的购物卡，",
    "在招标评审前向特定投标人透露评分标准，",
    "违规审批不符合条件的建设项目，",
    "长期由下属单位报销个人费用，",
    "在执法检查中对举报的问题不予处理，",
    "安排不具备资质的企业承接政府采购项目，",
]
WITNESSES = ["有多名群众可以作证。", "相关票据和照片已保存。", "当地村民多次反映未果。", "有关合同复印件可以提供。"]
OPINIONS = [
    "建议明确无障碍设施的维护责任主体，",
    "本条规定的期限过长，建议缩短为六个月，",
    "建议增加对老年人出行需求的具体保障措施，",
    "应当规定违反本条的法律责任，",
    "建议将信息无障碍纳入政府采购的评审标准，",
    "支持本条规定，希望尽快出台配套细则，",
]


# --- the simulated people -------------------------------------------------------------------------


class Addresses:
    """A different client address for each simulated person, from 198.18.0.0/15 (sent as X-Forwarded-For)."""

    def __init__(self) -> None:
        self.next_index = 1

    def take(self) -> str:
        address = BENCH_NETWORK[self.next_index % (BENCH_NETWORK.num_addresses - 2) + 1]
        self.next_index += 1
        return str(address)


@dataclass
class Context:
    """What the clients share during a run."""

    run: str
    port: int
    https: bool
    timeout: float
    sink: MailSink
    data: dict
    addresses: Addresses = field(default_factory=Addresses)
    sessions: list[str] = field(default_factory=list)
    max_requests: int = 0
    requests: int = 0
    accepted: dict[str, dict] = field(default_factory=dict)  # tag → code (reports) or True
    signed: set[str] = field(default_factory=set)
    sequence: int = 0
    level_key: str = ""  # in every tag of the level: its clients and its place in the run ("50n3")

    def browser(self) -> Browser:
        return Browser("127.0.0.1", self.port, self.timeout, https=self.https)

    def next_number(self) -> int:
        self.sequence += 1
        return self.sequence

    def region(self) -> str:
        return RNG.choice(self.data["regions"])

    async def send(self, level: Level, request: Awaitable[Response], *, submit: bool) -> Response | None:
        self.requests += 1
        try:
            response = await request
        except HttpError:
            level.no_answer()
            await asyncio.sleep(0.05)
            return None
        level.answer(response.status, response.seconds, submit=submit)
        return response

    def over_budget(self) -> bool:
        return self.requests >= self.max_requests


def refusal(level: Level, response: Response) -> None:
    """Why a submission was not accepted, for the summary (the form's first error, or the status)."""
    if response.status == 400:
        found = ERROR_ITEM.search(response.text)
        reason = re.sub(r"<[^>]+>", "", unescape(found.group(1))).strip()[:80] if found else "400"
    elif 300 <= response.status < 400:
        reason = f"{response.status} → {(response.header('location') or '')[:60]}"
    else:
        reason = str(response.status)
    level.refused[reason] += 1


async def comment_client(ctx: Context, level: Level, index: int, stop_at: float) -> None:
    """Signed-in people: open the draft, then comment on its articles, each person up to 8 times."""
    draft_url = ctx.data["draft_url"]
    comment_url = draft_url + "comment/"
    browser = ctx.browser()
    number = 0
    try:
        while time.monotonic() < stop_at and not ctx.over_budget():
            if not ctx.sessions:
                level.extra["users_exhausted"] = True
                return
            browser.forget()
            browser.cookies["sessionid"] = ctx.sessions.pop()
            browser.address = ctx.addresses.take()
            page = await ctx.send(level, browser.get(draft_url), submit=False)
            if page is None or page.status != 200:
                continue
            token = csrf_token(page, browser)
            for _ in range(COMMENTS_PER_USER):
                if time.monotonic() >= stop_at or ctx.over_budget():
                    break
                number += 1
                tag = f"{ctx.run}:c{ctx.level_key}-{index}-{number}"
                provisions = ctx.data["provisions"]
                form = {
                    "csrfmiddlewaretoken": token,
                    "provision": str(RNG.choice(provisions)) if provisions and RNG.random() < 0.8 else "",
                    "stance": RNG.choice(["support", "oppose", "amend"]),
                    "text": f"{RNG.choice(OPINIONS)}{RNG.choice(OPINIONS)}以便实施。[{tag}]",
                    "quote": "",
                    "region": ctx.region() if RNG.random() < 0.5 else "",
                    "sector": "",
                }
                answer = await ctx.send(level, browser.post(comment_url, form), submit=True)
                if answer is None:
                    continue
                if answer.status == 302 and (answer.header("location") or "").startswith(draft_url):
                    level.accepted += 1
                    ctx.accepted[tag] = True
                else:
                    refusal(level, answer)
    finally:
        browser.close()


async def report_client(ctx: Context, level: Level, index: int, stop_at: float) -> None:
    """Anonymous reporters, each a new person: open the form, file, read the follow-up code."""
    browser = ctx.browser()
    number = 0
    try:
        while time.monotonic() < stop_at and not ctx.over_budget():
            browser.forget()
            browser.address = ctx.addresses.take()
            page = await ctx.send(level, browser.get("/reports/new/"), submit=False)
            if page is None or page.status != 200:
                continue
            number += 1
            tag = f"{ctx.run}:r{ctx.level_key}-{index}-{number}"
            unit = f"某县{RNG.choice(UNITS)}{ctx.next_number()}"
            person = RNG.choice(SURNAMES) + RNG.choice("明华军伟芳丽强磊静敏")
            form = {
                "csrfmiddlewaretoken": csrf_token(page, browser),
                "kind": RNG.choice(["cadre", "approval", "procurement", "land", "enforcement", "other"]),
                "subject_name": person,
                "subject_post": RNG.choice(POSTS),
                "subject_unit": unit,
                "subject_unit_code": "",
                "region": ctx.region(),
                "occurred": f"2025年{RNG.randint(1, 12)}月",
                "description": f"{person}{''.join(RNG.sample(DEEDS, 3))}{RNG.choice(WITNESSES)}[{tag}]",
                "identity": "anonymous",
                "name": "",
                "id_number": "",
                "phone": "",
                "email": "",
            }
            answer = await ctx.send(level, browser.post("/reports/new/", form), submit=True)
            if answer is None:
                continue
            found = FOLLOW_UP_CODE.search(answer.text) if answer.status == 200 else None
            if found:
                level.accepted += 1
                ctx.accepted[tag] = found.group(1)
            else:
                refusal(level, answer)
    finally:
        browser.close()


async def signature_client(ctx: Context, level: Level, index: int, stop_at: float, grace: float) -> None:
    """People who sign the petition, then open the link mailed to them and confirm."""
    petition = ctx.data["petition_id"]
    pending: dict[str, tuple[Browser, float]] = {}  # e-mail → (that person's browser, when signed)
    number = 0

    async def confirm(address: str, token: str) -> None:
        browser, _ = pending.pop(address)
        try:
            url = f"/petitions/confirm/{token}/"
            page = await ctx.send(level, browser.get(url), submit=False)
            if page is None or page.status != 200:
                return
            answer = await ctx.send(
                level, browser.post(url, {"csrfmiddlewaretoken": csrf_token(page, browser)}), submit=True
            )
            if answer is None:
                return
            if answer.status == 302 and f"/petitions/{petition}/" in (answer.header("location") or ""):
                level.accepted += 1
                ctx.accepted[address] = True
            else:
                refusal(level, answer)
        finally:
            browser.close()

    async def sign() -> None:
        nonlocal number
        number += 1
        serial = ctx.next_number()
        address = f"{ctx.run}-s{ctx.level_key}-{index}-{number}@m{serial % 5000}.bench.example"
        browser = ctx.browser()
        browser.address = ctx.addresses.take()
        page = await ctx.send(level, browser.get(f"/petitions/{petition}/"), submit=False)
        if page is None or page.status != 200:
            browser.close()
            return
        form = {
            "csrfmiddlewaretoken": csrf_token(page, browser),
            "name": RNG.choice(SURNAMES) + RNG.choice("明华军伟芳丽强磊静敏") + str(serial % 100),
            "email": address,
            "region": ctx.region(),
        }
        answer = await ctx.send(level, browser.post(f"/petitions/{petition}/sign/", form), submit=True)
        if answer is not None and answer.status == 302:
            level.extra["signed"] = level.extra.get("signed", 0) + 1
            ctx.signed.add(address)
            pending[address] = (browser, time.monotonic())
        else:
            if answer is not None:
                refusal(level, answer)
            browser.close()

    while time.monotonic() < stop_at and not ctx.over_budget():
        ready = [address for address in pending if address in ctx.sink.tokens]
        if ready:
            await confirm(ready[0], ctx.sink.tokens[ready[0]])
        elif len(pending) < PENDING_PER_CLIENT:
            await sign()
        else:
            oldest = min(pending, key=lambda address: pending[address][1])
            await ctx.sink.wait_for(oldest, timeout=min(1.0, max(0.0, stop_at - time.monotonic())))
    # Time is up: confirm what was signed, as far as the mail arrives within the grace period.
    deadline = time.monotonic() + grace
    while pending and time.monotonic() < deadline:
        address = min(pending, key=lambda a: pending[a][1])
        token = await ctx.sink.wait_for(address, timeout=max(0.0, deadline - time.monotonic()))
        if token is None:
            break
        await confirm(address, token)
    level.extra["mail_not_received"] = level.extra.get("mail_not_received", 0) + len(pending)
    for browser, _ in pending.values():
        browser.close()


# --- the run -------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.production = args.server == "production"
        self.run = "b" + datetime.now(UTC).strftime("%m%d%H%M%S")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        self.log_dir = Path(args.log_dir or ROOT / "var" / "bench" / f"{stamp}-{args.server}")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.temp = Path(tempfile.mkdtemp(prefix="sunshine-bench-"))
        self.port = args.port or free_port()
        self.sink = MailSink()
        self.services: dict[str, Service] = {}
        self.database_created = False
        self.levels: list[Level] = []
        self.postgres_cpu = PostgresCpu(args.database) if self.production else None

    def say(self, message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    # --- environment and processes

    def environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(APP_VARIABLES)}
        env.update(
            {
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "site")]),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "TRUSTED_PROXIES": "127.0.0.1",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.sink.port),
                "EMAIL_USE_TLS": "false",
            }
        )
        if self.production:
            env.update(
                {
                    "DJANGO_SETTINGS_MODULE": "config.settings.production",
                    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                    "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
                    "DATABASE_URL": f"{self.args.postgres.rstrip('/')}/{self.args.database}",
                    "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                    "TASK_BACKEND": "database",
                    "SITE_URL": f"https://127.0.0.1:{self.port}",
                    "BIND": f"127.0.0.1:{self.port}",
                    "WEB_CONCURRENCY": str(self.args.workers),
                }
            )
            if self.search_port:
                env["ELASTICSEARCH_URL"] = f"http://127.0.0.1:{self.search_port}"
        else:
            env.update(
                {
                    "DJANGO_SETTINGS_MODULE": "config.settings.dev",
                    "DATABASE_URL": f"sqlite:///{self.temp / 'db.sqlite3'}",
                    "TASK_BACKEND": "immediate",
                    "SITE_URL": f"http://127.0.0.1:{self.port}",
                }
            )
        return env

    def manage(self, *command: str, log: str) -> subprocess.Popen:
        handle = (self.log_dir / log).open("ab")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, *command], cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=handle
        )
        handle.close()
        return process

    def finish(self, process: subprocess.Popen, what: str, timeout: float = 900) -> str:
        out, _ = process.communicate(timeout=timeout)
        if process.returncode != 0:
            raise RuntimeError(f"{what} failed ({process.returncode}); see {self.log_dir}")
        return out.decode("utf-8", "replace")

    def reset_database(self) -> None:
        import psycopg

        with psycopg.connect(f"{self.args.postgres.rstrip('/')}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.args.database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.args.database}"')
        self.database_created = True

    def drop_database(self) -> None:
        import psycopg

        with psycopg.connect(f"{self.args.postgres.rstrip('/')}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.args.database}" WITH (FORCE)')

    def start_services(self) -> None:
        if self.production:
            redis = redis_service(self.redis_port, self.log_dir / "redis.log")
            self.services["redis"] = redis
            redis.start()
            if self.search_port:
                search = search_service(self.search_port, self.temp / "search", self.log_dir / "search.log")
                self.services["search"] = search
                search.start()
            self.say(f"redis on 127.0.0.1:{self.redis_port}, search on 127.0.0.1:{self.search_port or '— (database)'}")

    def start_server(self) -> None:
        if self.production:
            command = [sys.executable, "-m", "gunicorn", "-c", "site/config/gunicorn.conf.py"]
            worker = Service(
                "worker",
                [sys.executable, "manage.py", "db_worker", "--interval", "1"],
                log=self.log_dir / "worker.log",
                env=self.env,
            )
            self.services["worker"] = worker
            worker.start()
        else:
            command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"]
        server = Service("server", command, log=self.log_dir / "server.log", env=self.env, port=self.port)
        self.services["server"] = server
        server.start(wait=120)
        self.say(f"server: {shlex.join(command[1:] if command[0] == sys.executable else command)} on :{self.port}")

    def stop_all(self) -> None:
        for name in ("during", "server", "worker", "search", "redis"):
            service = self.services.get(name)
            if service is not None:
                service.stop()

    # --- phases

    async def prepare(self) -> dict:
        self.redis_port = self.args.redis_port or free_port()
        use_search = self.production and self.args.search == "elasticsearch"
        if use_search and noida_binary() is None:
            raise RuntimeError("noida-db is not installed: use --search database")
        self.search_port = free_port() if use_search else None
        await self.sink.start()
        self.env = self.environment()
        started = time.monotonic()
        if self.production and not self.args.reuse_database:
            self.reset_database()
        self.start_services()
        migrate = self.manage("manage.py", "migrate", "--no-input", log="setup.log")
        static = self.manage("manage.py", "collectstatic", "--no-input", log="setup.log") if self.production else None
        await asyncio.to_thread(self.finish, migrate, "migrate")
        if static is not None:
            await asyncio.to_thread(self.finish, static, "collectstatic")
        self.say(
            f"database migrated{' and static files collected' if static else ''} in {time.monotonic() - started:.0f} s"
        )
        users = self.users_needed()
        setup = self.manage("-m", "bench.data", "setup", "--users", str(users), "--run", self.run, log="setup.log")
        data = json.loads((await asyncio.to_thread(self.finish, setup, "setup")).strip().splitlines()[-1])
        self.say(
            f"set up: draft {data['draft_url']} ({len(data['provisions'])} articles), petition {data['petition_id']}, "
            f"{len(data['sessions'])} signed-in users, {len(data['regions'])} regions ({data['setup_seconds']} s)"
        )
        self.start_server()
        return data

    def users_needed(self) -> int:
        if "comments" not in self.args.scenarios:
            return 1
        per_second = sum(min(60 * clients, 500) for clients in self.args.levels)
        return max(50, math.ceil(per_second * self.args.duration / COMMENTS_PER_USER))

    async def warm_up(self, ctx: Context) -> None:
        """Load every worker's code paths once (not measured)."""
        paths = [ctx.data["draft_url"], "/reports/new/", f"/petitions/{ctx.data['petition_id']}/", "/reports/check/"]

        async def visit(path: str) -> None:
            browser = ctx.browser()
            browser.timeout = 120
            try:
                for _ in range(3):
                    await browser.get(path)
            except HttpError as error:
                self.say(f"warm-up {path}: {error}")
            finally:
                browser.close()

        await asyncio.gather(*(visit(path) for path in paths for _ in range(max(2, self.args.workers))))

    async def fault(self, level: Level, started: float) -> None:
        name = self.args.fault
        service = self.services[name]
        third = self.args.duration / 3
        await asyncio.sleep(third)
        await asyncio.to_thread(service.kill)
        down = time.monotonic() - started
        self.say(f"  fault: {name} killed at {down:.1f} s")
        try:
            await asyncio.sleep(third)
        finally:
            took = await asyncio.to_thread(service.start)
            up = time.monotonic() - started
            self.say(f"  fault: {name} started again at {up:.1f} s (ready in {took:.1f} s)")
            level.fault = {"service": name, "down_at_s": round(down, 1), "up_at_s": round(up, 1)}

    async def progress(self, level: Level, started: float) -> None:
        while True:
            await asyncio.sleep(5)
            elapsed = time.monotonic() - started
            self.say(
                f"  {level.scenario} ×{level.clients} {elapsed:4.0f} s: {level.accepted} accepted "
                f"({level.accepted / elapsed:.1f}/s), {level.server_errors} 5xx, {level.limited} 429, "
                f"{level.errors} no answer"
            )

    async def run_level(self, ctx: Context, scenario: str, clients: int) -> Level:
        level = Level(scenario=scenario, clients=clients)
        cpu_before = self.cpu()
        ctx.accepted = {}
        ctx.requests = 0
        ctx.level_key = f"{clients}n{len(self.levels) + 1}"  # levels with as many clients keep their tags apart
        self.say(
            f"{scenario} with {clients} concurrent client{'s' if clients > 1 else ''} for {self.args.duration:.0f} s"
        )
        started = time.monotonic()
        stop_at = started + self.args.duration
        grace = min(30.0, max(10.0, self.args.duration / 2))
        if scenario == "comments":
            clients_run = [comment_client(ctx, level, n, stop_at) for n in range(clients)]
        elif scenario == "reports":
            clients_run = [report_client(ctx, level, n, stop_at) for n in range(clients)]
        else:
            clients_run = [signature_client(ctx, level, n, stop_at, grace) for n in range(clients)]
        watchers = [asyncio.create_task(self.progress(level, started))]
        sampler = asyncio.create_task(self.sample_postgres(level))
        if self.args.fault:
            watchers.append(asyncio.create_task(self.fault(level, started)))
        try:
            await asyncio.gather(*clients_run)
            level.elapsed = time.monotonic() - started
            if self.args.fault:
                await watchers[-1]  # the service is back before anything is counted
        finally:
            for watcher in watchers:
                watcher.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)
        if scenario == "reports":
            await self.check_codes(ctx, level)
        try:
            await self.count(ctx, level)
        finally:
            sampler.cancel()
            await asyncio.gather(sampler, return_exceptions=True)
        cpu_after = self.cpu()
        total = 0.0
        for name, used_before in cpu_before.items():
            if name == "during":
                level.extra["during_running"] = running = self.services["during"].running
                if running:  # apart: not the submissions' (a process that ended has no CPU left to read)
                    level.extra["during_cpu_s"] = round(cpu_after[name] - used_before, 1)
                continue
            if level.accepted and name in cpu_after:
                used = cpu_after[name] - used_before  # pages and submissions, the queue drained after the level
                if name != "postgres_ended":  # every database's ended connections: shown, not added
                    total += used
                level.extra[f"{name}_cpu_ms_per_accepted"] = round(used * 1000 / level.accepted, 1)
        if level.accepted and len(set(cpu_before) - {"during", "postgres_ended"}) > 1:
            # web workers + task worker (+ the database's backends on the production stack)
            level.extra["total_cpu_ms_per_accepted"] = round(total * 1000 / level.accepted, 1)
        summary = level.summary()
        self.say(
            f"  done: {summary['accepted']} accepted in {summary['seconds']} s ({summary['accepted_per_s']}/s), "
            f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, {summary['status_5xx']} 5xx, "
            f"{summary['status_429']} 429, stored {summary['stored']}, lost {summary['lost']}"
            + (f", codes shown {summary['codes_shown']}/{summary['stored']}" if scenario == "reports" else "")
            + (
                f", waiting for a lock in {level.extra['lock_waits']['waiting']} of "
                f"{level.extra['lock_waits']['samples']} samples"
                if "lock_waits" in level.extra
                else ""
            )
            + "".join(
                f", {name} {level.extra[f'{name}_cpu_ms_per_accepted']} ms CPU/accepted"
                for name in ("server", "worker", "postgres", "total")
                if f"{name}_cpu_ms_per_accepted" in level.extra
            )
        )
        return level

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by the web server (all its workers), the task worker and, on the production
        stack, the PostgreSQL backends serving the bench's database."""
        names = ("server", "worker", "during")
        used = {name: self.services[name].cpu_seconds() for name in names if name in self.services}
        if self.postgres_cpu is not None:
            self.postgres_cpu.sample()
            used["postgres"] = self.postgres_cpu.seconds()
            used["postgres_ended"] = self.postgres_cpu.ended_seconds()
        return used

    async def sample_postgres(self, level: Level) -> None:
        """The database backends' CPU, and which of them wait for a lock (and on whom) a few times a second."""
        if self.postgres_cpu is None:
            return
        import psycopg

        url = f"{self.args.postgres.rstrip('/')}/{self.args.database}"
        connection = await asyncio.to_thread(psycopg.connect, url, autocommit=True)
        waits = level.extra.setdefault("lock_waits", {"samples": 0, "waiting": 0, "max_waiting": 0, "examples": []})
        try:
            while True:
                await asyncio.to_thread(self.postgres_cpu.sample)
                rows = await asyncio.to_thread(self.lock_waits, connection)
                self.postgres_cpu.excluded.update(await asyncio.to_thread(self.during_backends, connection))
                waits["samples"] += 1
                waits["waiting"] += len(rows)
                waits["max_waiting"] = max(waits["max_waiting"], len(rows))
                for row in rows:
                    if row not in waits["examples"] and len(waits["examples"]) < 5:
                        waits["examples"].append(row)
                await asyncio.sleep(0.25)
        finally:
            await asyncio.to_thread(connection.close)

    def during_backends(self, connection) -> list[int]:
        return [
            pid
            for (pid,) in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                [self.args.database, DURING_APP],
            ).fetchall()
        ]

    def lock_waits(self, connection) -> list[list[str]]:
        """[waiting statement, statement of the one it waits for] for each backend of the database waiting for a
        lock now."""
        return [
            [waiting, blocking or ""]
            for waiting, blocking in connection.execute(
                "SELECT left(w.query, 100), (SELECT left(b.query, 100) FROM pg_stat_activity b "
                "WHERE b.pid = ANY(pg_blocking_pids(w.pid)) LIMIT 1) "
                "FROM pg_stat_activity w WHERE w.datname = %s AND w.wait_event_type = 'Lock'",
                [self.args.database],
            ).fetchall()
        ]

    async def check_codes(self, ctx: Context, level: Level) -> None:
        """Open a few reports with the codes their reporters were shown, as a reporter would."""
        sample = RNG.sample(list(ctx.accepted.values()), min(3, len(ctx.accepted)))
        opened = 0
        for code in sample:
            browser = ctx.browser()
            browser.address = ctx.addresses.take()
            try:
                page = await browser.get("/reports/check/")
                answer = await browser.post(
                    "/reports/check/", {"csrfmiddlewaretoken": csrf_token(page, browser), "code": code}
                )
                opened += answer.status == 302 and (answer.header("location") or "").endswith("/reports/case/")
            except HttpError:
                pass
            finally:
                browser.close()
        level.codes_opened, level.codes_sampled = opened, len(sample)

    async def count(self, ctx: Context, level: Level) -> None:
        codes_file = self.temp / "codes.json"
        codes_file.write_text(json.dumps([c for c in ctx.accepted.values() if isinstance(c, str)]))
        command = ["-m", "bench.data", "count", "--run", self.run, "--codes", str(codes_file)]
        command += ["--drain-timeout", str(self.args.drain_timeout)]
        process = self.manage(*command, log="count.log")
        found = json.loads((await asyncio.to_thread(self.finish, process, "count")).strip().splitlines()[-1])
        level.extra["tasks_pending_after"] = found["tasks_pending"]
        level.extra["queue_drain_s"] = found["drain_seconds"]
        accepted = set(ctx.accepted)
        if level.scenario == "comments":
            prefix = f"{self.run}:c{ctx.level_key}-"
            stored = {tag for tag in found["comments"] if tag.startswith(prefix)}
        elif level.scenario == "reports":
            prefix = f"{self.run}:r{ctx.level_key}-"
            digests = {row["tag"]: row["digest"] for row in found["reports"] if row["tag"].startswith(prefix)}
            stored = set(digests)
            shown = found["digests"]
            level.codes_shown = sum(
                1 for tag, digest in digests.items() if tag in ctx.accepted and shown.get(ctx.accepted[tag]) == digest
            )
        else:
            prefix = f"{self.run}-s{ctx.level_key}-"
            rows = {email: confirmed for email, confirmed in found["signatures"].items() if email.startswith(prefix)}
            stored = {email for email, confirmed in rows.items() if confirmed}
            signed = {email for email in ctx.signed if email.startswith(prefix)}
            level.extra["signature_rows"] = len(rows)
            level.extra["signed_lost"] = len(signed - set(rows))
        level.stored = len(stored)
        level.lost = len(accepted - stored)
        level.unanswered = len(stored - accepted)

    def server_problems(self) -> tuple[int, str]:
        """Tracebacks in the server's and the worker's logs, and the first one."""
        count, first = 0, ""
        for name in ("server.log", "worker.log"):
            path = self.log_dir / name
            if not path.exists():
                continue
            lines = path.read_text("utf-8", "replace").splitlines()
            for number, line in enumerate(lines):
                if line.startswith("Traceback (most recent call last)"):
                    count += 1
                    if not first:
                        first = "\n".join(lines[max(0, number - 2) : number + 40])
        return count, first

    async def main(self) -> dict:
        load_before = os.getloadavg()[0]
        self.say(f"run {self.run}: {self.args.server} server, logs in {self.log_dir} (load average {load_before:.1f})")
        data = await self.prepare()
        ctx = Context(
            run=self.run,
            port=self.port,
            https=self.production,
            timeout=self.args.timeout,
            sink=self.sink,
            data=data,
            sessions=list(data["sessions"]),
            max_requests=self.args.max_requests,
        )
        await self.warm_up(ctx)
        if self.args.during:
            command = [sys.executable if part == "python" else part for part in shlex.split(self.args.during)]
            env = {**self.env, "PGAPPNAME": DURING_APP}  # its database backends are told apart by this name
            self.services["during"] = Service("during", command, log=self.log_dir / "during.log", env=env)
            self.services["during"].start()
            self.say(f"started alongside the levels: {self.args.during}")
        for scenario in self.args.scenarios:
            for clients in self.args.levels:
                self.levels.append(await self.run_level(ctx, scenario, clients))
        summaries = [level.summary() for level in self.levels]
        tracebacks, first = self.server_problems()
        if first:
            print(f"\nFirst of {tracebacks} traceback(s) in the server logs:\n{first}\n", flush=True)
        print("\n" + table(summaries) + "\n", flush=True)
        met = targets(summaries, server=self.args.server)
        for name, value in met.items():
            print(f"target {name}: {'met' if value else 'not measured' if value is None else 'NOT MET'}", flush=True)
        return {
            "bench": "sunshine-load",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": shlex.join(["python", "-m", "bench.load", *sys.argv[1:]]),
            "server": self.args.server,
            "workers": self.args.workers if self.production else 1,
            "cores": os.cpu_count(),
            # Other work on the machine takes cores from the server: figures are only comparable at low load.
            "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
            "duration_s": self.args.duration,
            "fault": self.args.fault,
            "search": self.args.search if self.production else "database",
            "levels": summaries,
            "server_tracebacks": tracebacks,
            "mails": self.sink.messages,
            "targets": met,
            "logs": str(self.log_dir),
        }

    async def teardown(self) -> None:
        await asyncio.to_thread(self.stop_all)
        await self.sink.stop()
        if self.database_created and not self.args.keep_database:
            await asyncio.to_thread(self.drop_database)
        subprocess.run(["rm", "-rf", str(self.temp)], check=False)  # noqa: S603, S607


async def run(args: argparse.Namespace) -> dict | None:
    bench = Bench(args)
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if task is not None:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await bench.main()
    finally:
        await asyncio.shield(bench.teardown())
        bench.say("stopped everything the bench started")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--server", choices=["production", "dev"], default="production")
    parser.add_argument("--fault", choices=["redis", "search"], help="kill this service mid-level, then start it")
    parser.add_argument("--levels", default="1,10,50", help="numbers of concurrent clients (default 1,10,50)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comments,reports,signatures")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per level (default 20)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers (default: cores)")
    parser.add_argument("--search", choices=["elasticsearch", "database"], default="elasticsearch")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as unanswered")
    parser.add_argument("--max-requests", type=int, default=100_000, help="bound on requests per level")
    parser.add_argument("--drain-timeout", type=float, default=120.0, help="wait for the task queue after a level")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--database", default="sunshine_bench", help="dropped and created by the bench")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="run on the existing --database (migrated, not dropped before or after): e.g. one bench.scale built",
    )
    parser.add_argument(
        "--during",
        help="a command run under the server's settings from the first level to the end, e.g. "
        '"python manage.py cluster_comments --draft 7 --full" (its CPU is reported apart)',
    )
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--port", type=int, default=0, help="web server port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--log-dir", help="default var/bench/<time>-<server>/")
    args = parser.parse_args(argv)
    args.levels = [int(n) for n in args.levels.split(",") if n.strip()]
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    if args.fault and args.server != "production":
        parser.error("--fault needs --server production (the dev server runs without Redis or a search server)")
    if args.fault == "search" and args.search != "elasticsearch":
        parser.error("--fault search needs --search elasticsearch")
    if not 1 <= args.duration <= 600 or any(n < 1 or n > 500 for n in args.levels):
        parser.error("keep it bounded: --duration 1..600 s, levels 1..500 clients")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        result = asyncio.run(run(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted", file=sys.stderr)
        return 130
    if result is None:
        return 1
    print(json_line(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
