"""The scale benchmark's steps, each run by `bench.scale` in a fresh process:

    python -m bench.scale_steps NAME '{"draft": 123, "comments": 423719, "repeat": 3}'

prints the step's output, then one JSON line: its figures, with `seconds` (the work, not the process start)
and `peak_mb` (the process's peak resident memory, Django included; `bench.scale` reports the baseline).

To add a step, write a function taking the run's context (a dict) and returning its figures, and decorate it
with `@step(name, title)`: steps run in the order they are declared. To add a screen, append a `Screen` to
SCREENS. Steps call the platform's public entry points (management commands, URLs, services), so they
measure whatever those do today.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.exports import _peak_mb, _reset_peak
from bench.scale import SOURCE, django_setup

ADDED = "bench:added"  # comments a run adds (removed by the next run's reset)
BENCH_AUTHORS = "bench-scale-citizen-"  # + n@bench.example: one person each (comments are rate-limited per person)


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    run: Callable[[dict], dict]
    elasticsearch: bool = False  # runs only with --elasticsearch-url, with that search backend


STEPS: list[Step] = []
INTERNAL: dict[str, Step] = {}


def step(name: str, title: str, *, internal: bool = False, elasticsearch: bool = False):
    def register(function: Callable[[dict], dict]) -> Callable[[dict], dict]:
        entry = Step(name, title, function, elasticsearch)
        if internal:
            INTERNAL[name] = entry
        else:
            STEPS.append(entry)
        return function

    return register


def _draft(context: dict):
    from consultations.models import DraftPage

    return DraftPage.objects.get(pk=context["draft"])


def _outbox_left() -> int:
    from search.models import IndexOutbox

    return IndexOutbox.objects.count()


# --- housekeeping ------------------------------------------------------------------------------


@step("baseline", "a process that only starts Django", internal=True)
def baseline(context: dict) -> dict:
    return {}


@step("reset", "remove what an earlier run added", internal=True)
def reset(context: dict) -> dict:
    from django.db.models import Q

    from consultations.models import Comment, ReportPublication
    from search.indexing import process_outbox

    draft = _draft(context)
    ReportPublication.objects.filter(draft=draft).delete()
    added = Comment.objects.filter(draft=draft).filter(Q(source=ADDED) | Q(author__email__startswith=BENCH_AUTHORS))
    removed = added.count()
    added.delete()  # their index entries go through the outbox
    process_outbox()
    return {"removed": removed}


# --- indexing ----------------------------------------------------------------------------------


def _relation_mb(*tables: str) -> float | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(pg_total_relation_size(t::regclass)) FROM unnest(%s::text[]) t", [list(tables)])
        return round(float(cursor.fetchone()[0]) / 2**20, 1)


def _server_cpu_seconds() -> float | None:
    """CPU time of the PostgreSQL process serving this process's connection, when the server runs on this
    machine (it is read from /proc); None otherwise."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rebuild_comments() -> dict:
    from django.core.management import call_command

    from search.backends import get_backend

    server = _server_cpu_seconds()
    started = time.perf_counter()
    call_command("rebuild_index", "--type", "comment", stdout=sys.stdout)
    seconds = time.perf_counter() - started
    if server is not None and (after := _server_cpu_seconds()) is not None:
        server = round(after - server, 1)  # the writing connection's server process (the reading one is apart)
    documents = get_backend().count("comment")
    return {"seconds": round(seconds, 1), "documents": documents, "docs_per_s": round(documents / seconds)} | (
        {"server_cpu_s": server} if server is not None else {}
    )


@step("index_full", "rebuild_index --type comment (a full rebuild of the comments' index)")
def index_full(context: dict) -> dict:
    from consultations.models import Comment
    from search.models import SearchEntry, SearchFacet

    figures = _rebuild_comments()
    tables = (SearchEntry._meta.db_table, SearchFacet._meta.db_table)
    # on disk, with the space the replaced rows held until vacuumed
    figures["index_mb"] = _relation_mb(*tables)
    figures["comments_table_mb"] = _relation_mb(Comment._meta.db_table)
    if figures["index_mb"] is not None:  # the index's own size, compacted (not timed)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM FULL ANALYZE {', '.join(tables)}")
        figures["index_compact_mb"] = _relation_mb(*tables)
        figures["entries_mb"], figures["facets_mb"] = _relation_mb(tables[0]), _relation_mb(tables[1])
    return figures


@step("index_full_es", "rebuild_index --type comment on Elasticsearch (bulk requests)", elasticsearch=True)
def index_full_es(context: dict) -> dict:
    from django.conf import settings

    from search.backends import get_backend

    backend = get_backend()
    return {
        **_rebuild_comments(),
        "url": settings.SEARCH_BACKEND["URL"],
        "bulk_documents": backend.bulk_documents,
        "bulk_mb": round(backend.bulk_bytes / 2**20, 1),
        "bulk_threads": backend.bulk_threads,
    }


@step("index_one", "a new comment submitted and indexed (services.submit_comment, then the outbox)")
def index_one(context: dict) -> dict:
    from django.db import transaction

    from accounts.models import User
    from bench.corpus import CommentTexts, clauses
    from consultations.models import Stance
    from consultations.services import submit_comment
    from search.backends import get_backend
    from search.indexing import documents_for

    draft = _draft(context)
    texts = CommentTexts(clauses()[0], seed=7, campaign_share=0)
    backend = get_backend()
    submitted, indexed = [], []
    for n in range(20):
        author, _ = User.objects.get_or_create(email=f"{BENCH_AUTHORS}{n}@bench.example")
        text, _letter = texts.next()
        started = time.perf_counter()
        with transaction.atomic():
            comment = submit_comment(draft=draft, author=author, text=text, stance=Stance.SUPPORT)
        submitted.append(time.perf_counter() - started)  # the request's work, indexing after commit included
        started = time.perf_counter()
        documents, _gone = documents_for("comment", [comment.pk])
        backend.index(documents)
        indexed.append(time.perf_counter() - started)  # indexing alone: build the document and write it
    return {
        "seconds": round(sum(submitted) + sum(indexed), 2),
        "submit_median_ms": round(statistics.median(submitted) * 1000, 1),
        "index_median_ms": round(statistics.median(indexed) * 1000, 1),
        "index_max_ms": round(max(indexed) * 1000, 1),
        "outbox_left": _outbox_left(),
    }


# --- clustering --------------------------------------------------------------------------------


def _cluster(context: dict, *extra: str) -> dict:
    from django.core.management import call_command

    from consultations.models import Campaign, Theme

    out = _Tee()
    started = time.perf_counter()
    call_command("cluster_comments", "--draft", str(context["draft"]), *extra, stdout=out)
    seconds = time.perf_counter() - started
    summary = out.last_json()
    return {
        "seconds": round(seconds, 1),
        "clustered": summary.get("comments"),
        "assigned": summary.get("assigned"),
        "campaigns": Campaign.objects.filter(draft_id=context["draft"]).count(),
        "themes": Theme.objects.filter(draft_id=context["draft"]).count(),
        "outbox_left": _outbox_left(),
    }


class _Tee:
    """A command's stdout, passed through and kept (its last line is its JSON summary)."""

    def __init__(self):
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()
        self.lines += [line for line in text.splitlines() if line.strip()]

    def flush(self) -> None:
        sys.stdout.flush()

    def last_json(self) -> dict:
        for line in reversed(self.lines):
            if line.startswith("{"):
                return json.loads(line)
        return {}


@step("cluster_full", "cluster_comments --draft … --full")
def cluster_full(context: dict) -> dict:
    return _cluster(context, "--full")


@step("add_comments", "1 % new comments written in bulk and indexed through the outbox")
def add_comments(context: dict) -> dict:
    import random

    from django.db import transaction
    from django.utils import timezone

    from bench.corpus import CommentTexts, clauses
    from consultations.models import Comment, CommentStatus, Stance
    from consultations.services import comment_hash
    from search.indexing import process_outbox, record_changes

    draft = _draft(context)
    count = max(1, context["comments"] // 100)
    texts = CommentTexts(clauses()[0], seed=11)
    rng = random.Random(11)  # noqa: S311 - benchmark data
    articles = list(draft.current_version.provisions.filter(kind="article").values_list("pk", flat=True))
    now = timezone.now()
    started = time.perf_counter()
    new = []
    for n in range(count):
        text, _letter = texts.next()
        new.append(
            Comment(
                draft=draft,
                provision_id=rng.choice(articles) if rng.random() < 0.8 else None,
                external_author=f"bench-added-{n}",
                source=ADDED,
                text=text,
                text_hash=comment_hash(text),
                stance=rng.choice([Stance.SUPPORT, Stance.OPPOSE, Stance.AMEND]),
                status=CommentStatus.APPROVED,
                created_at=now,
            )
        )
    with transaction.atomic():
        created = Comment.objects.bulk_create(new, batch_size=2000)
        ids = [comment.pk for comment in created]
        if ids[0] is None:
            ids = list(Comment.objects.filter(draft=draft, source=ADDED).values_list("pk", flat=True))
        record_changes("comment", ids)
    written = time.perf_counter() - started
    run = process_outbox()  # in case no task ran at commit
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "added": count,
        "write_seconds": round(written, 2),
        "indexed_after": run.indexed,
        "outbox_left": _outbox_left(),
    }


@step("cluster_incremental", "cluster_comments --draft … (after 1 % new comments)")
def cluster_incremental(context: dict) -> dict:
    return _cluster(context)


# --- screens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    name: str
    who: str  # "legislator" or "anonymous"
    url: Callable[[dict], str]
    needs: tuple[str, ...] = ()  # context keys that must be found (a theme exists only after clustering)


def _admin(path: str) -> Callable[[dict], str]:
    return lambda ctx: f"/admin/consultations/{path.format(**ctx)}"


SCREENS: list[Screen] = [
    Screen("review_overview", "legislator", _admin("drafts/{draft}/review/")),
    Screen("review_articles", "legislator", _admin("drafts/{draft}/review/articles/")),
    Screen("review_campaigns", "legislator", _admin("drafts/{draft}/review/campaigns/")),
    Screen("themes", "legislator", _admin("drafts/{draft}/themes/")),
    Screen("theme_members_page_2", "legislator", _admin("review/themes/{theme}/?page=2"), needs=("theme",)),
    Screen("review_search_facets", "legislator", _admin("drafts/{draft}/review/search/?q=行政复议")),
    Screen("moderation_queue", "legislator", _admin("moderation/?draft={draft}")),
    Screen("draft_page", "anonymous", lambda ctx: ctx["draft_url"]),
    Screen("article_page", "anonymous", lambda ctx: f"{ctx['draft_url']}articles/{ctx['article']}/"),
    Screen("comments_api_page_2", "anonymous", lambda ctx: f"/api/consultations/drafts/{ctx['draft']}/comments?page=2"),
    Screen("public_search", "anonymous", lambda ctx: "/search/?q=行政复议"),
]


def _screen_context(context: dict) -> dict:
    """What the screens' addresses need, looked up before any is timed: the busiest article and theme."""
    from django.db.models import Count

    from consultations.models import Comment, Theme

    draft = _draft(context)
    article = (
        Comment.objects.filter(draft=draft, provision__isnull=False)
        .values("provision")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("provision", flat=True)
        .first()
    )
    theme = (
        Theme.objects.filter(draft=draft)
        .annotate(n=Count("memberships"))
        .order_by("-n")
        .values_list("pk", flat=True)
        .first()
    )
    return {"draft": draft.pk, "draft_url": draft.url, "article": article, "theme": theme}


def _clients() -> dict:
    from django.test import Client

    from accounts.models import User

    legislator = Client()
    legislator.force_login(User.objects.get(email="legislator@demo.sunshine.cn"))
    return {"legislator": legislator, "anonymous": Client()}


class _QueryCounter:
    """SQL statements run by this process on any connection, in any thread (a view run in a worker thread, as
    async views are, has a connection of its own, which `CaptureQueriesContext` would not see)."""

    def __init__(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        self.count = 0
        self.lock = threading.Lock()
        connection_created.connect(self._watch, weak=False)
        for connection in connections.all(initialized_only=True):
            self._watch(connection=connection)

    def _watch(self, sender=None, connection=None, **kwargs):
        if self not in connection.execute_wrappers:
            connection.execute_wrappers.append(self)

    def __call__(self, execute, sql, params, many, context):
        with self.lock:
            self.count += 1
        return execute(sql, params, many, context)


_queries: _QueryCounter | None = None


def _time_get(client, url: str) -> tuple[float, int, int]:
    global _queries  # noqa: PLW0603 - one counter per process, made on first use
    _queries = _queries or _QueryCounter()
    before = _queries.count
    started = time.perf_counter()
    response = client.get(url)
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass
    return time.perf_counter() - started, response.status_code, _queries.count - before


def measure_screens(screens: list[Screen], context: dict) -> dict:
    ctx = _screen_context(context)
    clients = _clients()
    clients["legislator"].get("/admin/")  # templates, translations and URL resolvers loaded, not timed
    clients["anonymous"].get("/")
    results = {}
    for screen in screens:
        if missing := [key for key in screen.needs if ctx.get(key) is None]:
            results[screen.name] = {"skipped": f"no {', '.join(missing)} yet"}
            continue
        url = screen.url(ctx)
        first, status, queries = _time_get(clients[screen.who], url)
        times = [first]
        if first < 10:  # a slow screen is timed once
            times += [_time_get(clients[screen.who], url)[0] for _ in range(max(context.get("repeat", 3), 1))]
        results[screen.name] = {
            "status": status,
            "first_s": round(first, 3),
            "median_s": round(statistics.median(times[1:] or times), 3),
            "queries": queries,
        }
        print(f"{screen.name}: {results[screen.name]}", flush=True)
    return results


def _fold_tallies() -> float:
    """Fold the tallies' appended rows, as the scheduler does every minute on a running site (the build and
    clustering append hundreds of thousands of rows, which a site would have folded long before a screen is
    read); the seconds it took."""
    from consultations import tallies

    started = time.perf_counter()
    tallies.fold()
    return round(time.perf_counter() - started, 2)


@step("screens", "the legislator's screens and the public pages, through Django's test client")
def screens(context: dict) -> dict:
    folded = _fold_tallies()
    started = time.perf_counter()
    results = measure_screens(SCREENS, context)
    return {"seconds": round(time.perf_counter() - started, 1), "fold_s": folded, "screens": results}


@step("report", "the public handling report (published for the request, then unpublished)")
def report(context: dict) -> dict:
    from django.test import Client

    from consultations.models import ReportPublication

    draft = _draft(context)
    folded = _fold_tallies()
    publication = ReportPublication.objects.create(draft=draft)
    try:
        seconds, status, queries = _time_get(Client(), f"{draft.url}report/")
    finally:
        publication.delete()
    return {"seconds": round(seconds, 2), "status": status, "queries": queries, "fold_s": folded}


# --- exports and search ------------------------------------------------------------------------


@step("export_xlsx", "the Excel export of every comment (bench.exports)")
def export_xlsx(context: dict) -> dict:
    from bench.exports import measure

    figures = measure("xlsx", context["draft"])
    return {"seconds": figures["seconds"], "growth_mb": figures["growth_mb"]}


@step("export_csv", "the CSV export of every comment (bench.exports)")
def export_csv(context: dict) -> dict:
    from bench.exports import measure

    figures = measure("csv", context["draft"])
    return {"seconds": figures["seconds"], "growth_mb": figures["growth_mb"]}


@step("export_file", "a large draft's Excel export as a file written by a task (bench.exports)")
def export_file(context: dict) -> dict:
    from bench.exports import measure

    figures = measure("file", context["draft"])
    return {"seconds": figures["seconds"], "growth_mb": figures["growth_mb"]}


@step("export_open_data", "the open-data files of the published comments, CSV and JSON Lines (bench.exports)")
def export_open_data(context: dict) -> dict:
    from bench.exports import measure

    figures = measure("opendata", context["draft"])
    return {"seconds": figures["seconds"], "growth_mb": figures["growth_mb"]}


def run(name: str, context: dict) -> dict:
    entry = INTERNAL.get(name) or next((s for s in STEPS if s.name == name), None)
    if entry is None:
        raise SystemExit(f"no step {name!r}")
    django_setup()
    _reset_peak()
    started, cpu = time.perf_counter(), _cpu_seconds()
    figures = entry.run(context)
    figures.setdefault("seconds", round(time.perf_counter() - started, 2))
    # The process's own CPU time (every thread; not the database server's): on a machine others load, the
    # wall time stretches, the CPU time much less.
    return {
        **figures,
        "cpu_s": round(_cpu_seconds() - cpu, 1),
        "load_1m": round(os.getloadavg()[0], 1),
        "peak_mb": _peak_mb(),
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        raise SystemExit("usage: python -m bench.scale_steps NAME CONTEXT_JSON")
    print(json.dumps(run(args[0], json.loads(args[1])), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()


__all__ = ["SCREENS", "SOURCE", "STEPS", "Screen", "Step", "step"]
