"""Scale benchmark: the record consultation (423,719 comments from 85,221 people on one draft), step by step.

    .venv/bin/python -m bench.scale --database-url postgres://postgres@127.0.0.1:5432/sunshine_scale
    .venv/bin/python -m bench.scale --database-url … --reuse            # the same database again, not rebuilt
    .venv/bin/python -m bench.scale --comments 50000 --steps index_full,screens
    .venv/bin/python -m bench.scale --list                              # the steps

It builds the consultation once: the demo's drafts and accounts, and on its 行政复议法 draft `--comments`
comments by `--commenters` people (`external_author`), texts cut into clauses from the real texts in
../shared/data/text/ (the demo's CC BY comments when absent) and recombined so that each is distinct, 30 % of
them lightly edited copies of five form letters (bench.corpus). A PostgreSQL database named in
`--database-url` is created if missing and kept; `--reuse` runs the steps on it again (what a run added is
removed first), `--fresh` drops it and builds again. Without `--database-url`: SQLite in a temporary folder.

Each step then runs in a fresh process (bench.scale_steps: indexing, clustering, the screens through Django's
test client with a signed-in legislator, the report, the exports, a public search), which reports its
wall time and its peak resident memory; a process that only starts Django is the baseline. The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DRAFT_SLUG = "xingzheng-fuyi-fa"  # the demo's 行政复议法 draft
SOURCE = "bench:scale"  # every comment the build writes
DEFAULT_COMMENTS = 423_719
DEFAULT_COMMENTERS = 85_221
BATCH = 5_000


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "site"))
    import django

    django.setup()
    from django.conf import settings

    if os.environ.get("BENCH_OPEN_DATA_ROOT"):  # never the dev server's files
        settings.OPEN_DATA_ROOT = Path(os.environ["BENCH_OPEN_DATA_ROOT"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # followers told of the report: not here


# --- the database ------------------------------------------------------------------------------


def _admin_url(url: str) -> tuple[str, str]:
    """The server's maintenance database URL, and the bench database's name."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def prepare_database(url: str, *, fresh: bool) -> None:
    """Create the PostgreSQL database if it is missing (drop it first with `fresh`); a SQLite file likewise."""
    if url.startswith("sqlite"):
        path = Path(urlsplit(url).path)
        if fresh and path.exists():
            path.unlink()
        return
    import psycopg
    from psycopg import sql

    admin, name = _admin_url(url.replace("postgresql://", "postgres://", 1))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def state(comments: int) -> str:
    """'empty' (no tables), 'built' (the bench consultation with `comments` comments), 'other' or 'partial'."""
    from django.db import connection

    if "django_migrations" not in connection.introspection.table_names():
        return "empty"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # what others added since the build
    from consultations.models import Comment

    built = Comment.objects.filter(draft__slug=DRAFT_SLUG, source=SOURCE).count()
    if built == comments:
        return "built"
    return "partial" if built else "other"


# --- building the consultation -----------------------------------------------------------------


def build(*, comments: int, commenters: int, seed: int = 2026) -> dict:
    """The demo's drafts and accounts, then `comments` comments on its 行政复议法 draft."""
    from django.core.management import call_command
    from django.utils import timezone

    from bench.corpus import CommentTexts, clauses
    from consultations.demo import load_consultations
    from consultations.models import Comment, CommentStatus, DraftPage, Stance
    from consultations.services import comment_hash
    from home.services import ensure_demo_accounts, ensure_home_page
    from regions.models import Region

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_regions", verbosity=0, stdout=quiet)
    ensure_demo_accounts()
    from accounts.models import User

    legislator = User.objects.get(email="legislator@demo.sunshine.cn")
    load_consultations(ensure_home_page(), legislator)
    now = timezone.now()
    draft = DraftPage.objects.get(slug=DRAFT_SLUG)
    draft.opens_at, draft.closes_at = now - timedelta(days=60), now + timedelta(days=30)
    draft.save_revision().publish()
    draft = DraftPage.objects.get(pk=draft.pk)

    pieces, origin = clauses()
    texts = CommentTexts(pieces, seed=seed)
    rng = random.Random(seed)  # noqa: S311 - benchmark data, reproducible
    articles = list(draft.current_version.provisions.filter(kind="article").values_list("pk", flat=True))
    rng.shuffle(articles)
    weights = [1 / (rank + 1) for rank in range(len(articles))]  # a few articles draw most comments
    counties = list(Region.objects.filter(level="county").values_list("code", flat=True))
    stances = [Stance.SUPPORT, Stance.OPPOSE, Stance.AMEND]
    statuses = [CommentStatus.APPROVED, CommentStatus.PUBLISHED, CommentStatus.PENDING, CommentStatus.REJECTED]
    status_weights = [0.80, 0.10, 0.05, 0.05]
    window = timedelta(days=59).total_seconds()
    print(f"  {len(pieces):,} clauses from {origin}", flush=True)
    batch, campaign_copies = [], 0
    for n in range(comments):
        text, letter = texts.next()
        campaign_copies += letter is not None
        author = n if n < commenters else rng.randrange(commenters)  # everyone at least once
        batch.append(
            Comment(
                draft=draft,
                provision_id=rng.choices(articles, weights)[0] if rng.random() < 0.8 else None,
                external_author=f"bench-{author}",
                source=SOURCE,
                text=text,
                text_hash=comment_hash(text),
                stance=rng.choice(stances),
                region_id=rng.choice(counties) if counties and rng.random() < 0.7 else None,
                status=rng.choices(statuses, status_weights)[0],
                created_at=now - timedelta(days=60) + timedelta(seconds=window * n / comments),
            )
        )
        if len(batch) == BATCH:
            Comment.objects.bulk_create(batch)
            batch = []
            if (n + 1) % 50_000 == 0:
                print(f"  {n + 1:,} / {comments:,} comments ({time.perf_counter() - started:.0f} s)", flush=True)
    Comment.objects.bulk_create(batch)
    from bench.exports import _peak_mb

    return {
        "seconds": round(time.perf_counter() - started, 1),
        "peak_mb": _peak_mb(),
        "campaign_copies": campaign_copies,
        "texts_from": origin,
    }


# --- running the steps -------------------------------------------------------------------------


def _run_step(name: str, env: dict, context: dict) -> dict:
    """One step in a fresh process; its output is passed through, its last line is its figures."""
    command = [sys.executable, "-m", "bench.scale_steps", name, json.dumps(context)]
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    last = ""
    assert process.stdout is not None
    for line in process.stdout:
        last = line.strip() or last
        if not line.startswith("{"):
            print(f"    {line.rstrip()}", flush=True)
    error = process.stderr.read() if process.stderr else ""
    if process.wait() != 0:
        return {"error": (error.strip().splitlines() or ["failed"])[-1][:500]}
    return json.loads(last)


def machine() -> dict:
    load = os.getloadavg()
    return {
        "cores": os.cpu_count(),
        "load_1m": round(load[0], 2),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def describe(name: str, figures: dict) -> str:
    if "error" in figures:
        return f"{name:22} FAILED: {figures['error']}"
    main = f"{name:22} {figures.get('seconds', 0):8.2f} s  peak {figures.get('peak_mb', 0):7.1f} MB"
    extra = {k: v for k, v in figures.items() if k not in {"seconds", "peak_mb", "screens"}}
    line = main + ("  " + " ".join(f"{k}={v}" for k, v in extra.items()) if extra else "")
    for screen, numbers in figures.get("screens", {}).items():
        line += f"\n    {screen:26} " + " ".join(f"{k}={v}" for k, v in numbers.items())
    return line


def main(argv: list[str] | None = None) -> None:
    from bench.scale_steps import STEPS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=DEFAULT_COMMENTS)
    parser.add_argument("--commenters", type=int, default=DEFAULT_COMMENTERS)
    parser.add_argument("--database-url", help="PostgreSQL (created if missing); default: SQLite in a temporary folder")
    parser.add_argument("--reuse", action="store_true", help="run on the consultation a previous run built")
    parser.add_argument("--fresh", action="store_true", help="drop the database and build again")
    parser.add_argument("--steps", help=f"comma-separated, in this order: {','.join(step.name for step in STEPS)}")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions of each screen (median reported)")
    parser.add_argument(
        "--elasticsearch-url", help="also rebuild the comments' index on this Elasticsearch (step index_full_es)"
    )
    parser.add_argument("--build-only", action="store_true", help="build (or check) the consultation, run no step")
    parser.add_argument("--list", action="store_true", help="list the steps and exit")
    args = parser.parse_args(argv)
    if args.list:
        for step in STEPS:
            print(f"{step.name:22} {step.title}")
        return
    chosen = [step.name for step in STEPS]
    if args.steps:
        unknown = set(args.steps.split(",")) - set(chosen)
        if unknown:
            parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
        chosen = [name for name in chosen if name in args.steps.split(",")]
    if args.commenters > args.comments or args.comments < 1:
        parser.error("--commenters must be at most --comments, and --comments at least 1")

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as temp:
        url = args.database_url or f"sqlite:///{temp}/db.sqlite3"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_SECRET_KEY": "bench-scale-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
            "DJANGO_DEBUG": "false",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "DATABASE_URL": url,
            "TASK_BACKEND": "immediate",
            "BENCH_OPEN_DATA_ROOT": str(Path(temp) / "opendata"),
        }
        os.environ.update(env)
        where = url.split("@")[-1]
        prepare_database(url, fresh=args.fresh)
        django_setup()
        found = state(args.comments)
        result: dict = {
            "comments": args.comments,
            "commenters": args.commenters,
            "database": url.split(":")[0].replace("postgresql", "postgres"),
            "machine": machine(),
        }
        if found == "built" and not args.reuse:
            raise SystemExit(f"{where} already holds the consultation: give --reuse, or --fresh to build again")
        if found in {"other", "partial"}:
            raise SystemExit(f"{where} holds other data (or a different --comments): give --fresh to drop it")
        if found == "empty":
            print(f"Building {args.comments:,} comments by {args.commenters:,} people on {where} …", flush=True)
            result["build"] = build(comments=args.comments, commenters=args.commenters)
            print(describe("build", result["build"]), flush=True)
        else:
            print(f"Reusing the consultation on {where}", flush=True)
        from consultations.models import DraftPage

        context = {
            "draft": DraftPage.objects.get(slug=DRAFT_SLUG).pk,
            "comments": args.comments,
            "repeat": args.repeat,
        }
        if args.build_only:
            print(json.dumps(result, ensure_ascii=False))
            return
        from django.db import connections

        connections.close_all()  # the steps' processes have the database to themselves
        _run_step("reset", env, context)
        result["baseline_peak_mb"] = _run_step("baseline", env, context).get("peak_mb")
        print(f"{'baseline':22} peak {result['baseline_peak_mb']} MB (a process that only starts Django)", flush=True)
        result["steps"] = {}
        for name in chosen:
            step = next(step for step in STEPS if step.name == name)
            if step.elasticsearch and not args.elasticsearch_url:
                continue
            print(f"{name} …", flush=True)
            step_env = {**env, "ELASTICSEARCH_URL": args.elasticsearch_url} if step.elasticsearch else env
            figures = _run_step(name, step_env, context)
            result["steps"][name] = figures
            print(describe(name, figures), flush=True)
        result["machine"]["load_1m_after"] = round(os.getloadavg()[0], 2)
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
