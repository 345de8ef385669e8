"""Clustering at scale: a full run and an incremental run on one draft with many comments, time and memory.

    .venv/bin/python -m bench.clustering_scale --database-url postgres://postgres@127.0.0.1:5432/h7_scale
    .venv/bin/python -m bench.clustering_scale --comments 50000 --database-url …   # quicker
    .venv/bin/python -m bench.clustering_scale --reuse --database-url …           # the comments are there

It builds (or, with --reuse, finds) a draft of the 行政复议法 with `--comments` approved comments: real texts cut
into clauses and recombined so that each comment is distinct, 30 % of them lightly edited copies of five form
letters (bench.corpus), 80 % on an article, `--commenters` distinct external authors. Then, each step in a fresh
process under `/usr/bin/time -v` (wall time and peak resident memory of the whole process):

1. `manage.py cluster_comments --draft D --full` from scratch (the draft's themes, campaigns and clustering state
   removed first): what the first run of a large consultation costs;
2. `--add` (1 %) more comments submitted and approved, then `manage.py cluster_comments --draft D` (incremental,
   what an approval queues), with the rows it wrote: memberships, comments linked to campaigns, search-outbox rows;
3. the same full run again on the clustered draft (themes kept by their keys), with the rows it wrote.

Tasks are queued in the database (TASK_BACKEND=database), so the re-indexing the runs ask for is counted as
outbox rows written and left to a worker, not timed here. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRAFT_TEXT = ROOT / "consultations" / "demo_data" / "xingzheng_fuyi_fa_2023.md"
SLUG = "bench-clustering-scale"
RECORD = 423_719  # comments on the 妇女权益保障法 revision, the largest consultation on record
COMMENTERS = 85_221


def _django(database_url: str) -> None:
    os.environ.update(_environment(database_url))
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "site"))
    import django

    django.setup()


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": database_url,
        "TASK_BACKEND": "database",
    }


def _supply(seed: int):
    sys.path.insert(0, str(ROOT))
    from bench.corpus import CommentTexts, clauses

    pieces, origin = clauses()
    return CommentTexts(pieces, seed=seed), origin


def _insert(draft, texts, count: int, *, offset: int, commenters: int, when) -> None:
    """`count` approved comments, in batches (bulk writes, as an import does)."""
    import random

    from consultations.models import Comment, CommentStatus, Stance
    from consultations.services import comment_hash

    articles = list(draft.current_version.provisions.filter(kind="article").values_list("pk", flat=True))
    stances = [value for value, _label in Stance.choices]
    rng = random.Random(offset)  # noqa: S311 - benchmark data, reproducible
    batch = []
    for n in range(offset, offset + count):
        text, _letter = texts.next()
        batch.append(
            Comment(
                draft=draft,
                provision_id=rng.choice(articles) if rng.random() < 0.8 else None,
                external_author=f"person-{n % commenters}",
                source="bench",
                text=text,
                text_hash=comment_hash(text),
                stance=rng.choice(stances),
                status=CommentStatus.APPROVED,
                moderated_at=when,
                created_at=when - timedelta(seconds=count + offset - n),
            )
        )
        if len(batch) == 5000:
            Comment.objects.bulk_create(batch)
            batch = []
    Comment.objects.bulk_create(batch)


def build(*, comments: int, commenters: int, seed: int, reuse: bool) -> int:
    from django.core.management import call_command
    from django.utils import timezone

    from consultations.demo import ensure_index
    from consultations.models import DraftPage
    from consultations.services import import_version
    from home.services import ensure_home_page
    from regions.models import Region

    call_command("migrate", verbosity=0)
    draft = DraftPage.objects.filter(slug=SLUG).first()
    if draft is not None and reuse:
        found = draft.comments.count()
        if found < comments:
            raise SystemExit(f"--reuse: the draft has {found:,} comments, fewer than --comments {comments:,}")
        print(f"Reusing draft {draft.pk} with {found:,} comments", flush=True)
        return draft.pk
    if draft is not None:
        raise SystemExit(f"draft {draft.pk} ({SLUG}) exists: give --reuse, or a fresh database")
    if not Region.objects.exists():
        call_command("load_regions", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    now = timezone.now()
    draft = DraftPage(
        title="中华人民共和国行政复议法（修订草案）聚类规模测试",
        slug=SLUG,
        drafting_body="全国人大常委会法制工作委员会",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=30),
        jurisdiction_id="000000",
    )
    ensure_index(ensure_home_page()).add_child(instance=draft)
    draft.save_revision().publish()
    import_version(draft=draft, label="征求意见稿", text=DRAFT_TEXT.read_text(encoding="utf-8"))
    draft = DraftPage.objects.get(pk=draft.pk)
    texts, origin = _supply(seed)
    started = time.monotonic()
    _insert(draft, texts, comments, offset=0, commenters=commenters, when=now - timedelta(days=1))
    print(f"Built draft {draft.pk}: {comments:,} comments from {origin} in {time.monotonic() - started:.0f} s")
    return draft.pk


def reset(draft_id: int, keep: int) -> None:
    """The draft as before any clustering: no themes, campaigns or clustering state; only its first `keep`
    comments (those a previous bench added are removed); the outbox and task queue empty."""
    from django.apps import apps
    from django.db import connection

    from consultations.memberships import delete_themes
    from consultations.models import Campaign, Comment, Theme

    ids = list(Comment.objects.filter(draft_id=draft_id).order_by("pk").values_list("pk", flat=True)[keep : keep + 1])
    if ids:
        Comment.objects.filter(draft_id=draft_id, pk__gte=ids[0]).delete()
    delete_themes(Theme.objects.filter(draft_id=draft_id))  # memberships in one statement, not row by row
    Comment.objects.filter(draft_id=draft_id).exclude(campaign=None).update(campaign=None, campaign_addition="")
    Campaign.objects.filter(draft_id=draft_id).delete()
    with suppress(LookupError):  # the code measured may keep no state
        apps.get_model("sunshine_search", "ClusteringState").objects.filter(
            scope=f"consultations.draft:{draft_id}"
        ).delete()
    _empty_queues()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE consultations_comment")
            cursor.execute("VACUUM ANALYZE consultations_thememembership")


def _empty_queues() -> None:
    from django_tasks_db.models import DBTaskResult

    from search.models import IndexOutbox

    IndexOutbox.objects.all().delete()
    DBTaskResult.objects.all().delete()


def counts(draft_id: int) -> dict[str, int]:
    from consultations.models import Campaign, Comment, Theme, ThemeMembership
    from search.models import IndexOutbox

    return {
        "comments": Comment.objects.filter(draft_id=draft_id).count(),
        "themes": Theme.objects.filter(draft_id=draft_id).count(),
        "memberships": ThemeMembership.objects.filter(theme__draft_id=draft_id).count(),
        "campaigns": Campaign.objects.filter(draft_id=draft_id).count(),
        "in_campaigns": Comment.objects.filter(draft_id=draft_id).exclude(campaign=None).count(),
        "outbox": IndexOutbox.objects.count(),
    }


def add(draft_id: int, count: int, *, commenters: int, seed: int) -> None:
    """`count` new approved comments, after the others (texts the build did not give: another seed)."""
    from django.utils import timezone

    from consultations.models import DraftPage

    draft = DraftPage.objects.get(pk=draft_id)
    texts, _origin = _supply(seed + 1)
    _insert(draft, texts, count, offset=draft.comments.count(), commenters=commenters, when=timezone.now())


def run_command(database_url: str, draft_id: int, *, full: bool) -> dict:
    """`manage.py cluster_comments` in its own process under /usr/bin/time -v: wall seconds, peak RSS, summary."""
    command = [sys.executable, "manage.py", "cluster_comments", "--draft", str(draft_id)]
    if full:
        command.append("--full")
    timed = ["/usr/bin/time", "-v", *command]
    completed = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        timed, cwd=ROOT, env=_environment(database_url), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{completed.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", completed.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr)
    cpu = [float(found) for found in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", completed.stderr)]
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    run = (summary.get("runs") or [{}])[0]
    lines = [line for line in completed.stdout.splitlines()[:-1] if line.strip()]
    return {
        "wall_s": _seconds(wall.group(1)) if wall else None,
        "peak_mb": round(int(peak.group(1)) / 1024) if peak else None,
        "cpu_s": round(sum(cpu), 2),  # user + system: what the run cost, whatever else the machine was doing
        "summary": run,
        "log": lines[-12:],
    }


def _seconds(clock: str) -> float:
    parts = [float(part) for part in clock.split(":")]
    return round(sum(value * 60**power for power, value in enumerate(reversed(parts))), 2)


def _rows(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        "memberships_written": after["memberships"] - before["memberships"],
        "comments_linked_to_campaigns": after["in_campaigns"] - before["in_campaigns"],
        "outbox_rows": after["outbox"] - before["outbox"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="e.g. postgres://postgres@127.0.0.1:5432/h7_scale")
    parser.add_argument("--comments", type=int, default=RECORD)
    parser.add_argument("--commenters", type=int, default=COMMENTERS)
    parser.add_argument("--add", type=float, default=0.01, help="share of new comments for the incremental run")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="use the draft a previous run built")
    parser.add_argument("--skip-repeat", action="store_true", help="leave out the second full run")
    args = parser.parse_args(argv)
    _django(args.database_url)
    draft_id = build(comments=args.comments, commenters=args.commenters, seed=args.seed, reuse=args.reuse)
    reset(draft_id, args.comments)
    result: dict = {"comments": args.comments, "draft": draft_id, "database": args.database_url.split(":")[0]}

    print(f"full run from scratch on {args.comments:,} comments …", flush=True)
    full = run_command(args.database_url, draft_id, full=True)
    after_full = counts(draft_id)
    print("\n".join("  " + line for line in full["log"]))
    print(f"  full: {full['wall_s']} s ({full['cpu_s']} s CPU), peak {full['peak_mb']} MB; {after_full}", flush=True)
    result.update(full_s=full["wall_s"], full_cpu_s=full["cpu_s"], full_peak_mb=full["peak_mb"], after_full=after_full)

    added = max(1, round(args.add * args.comments))
    _empty_queues()
    add(draft_id, added, commenters=args.commenters, seed=args.seed)
    before = counts(draft_id)
    print(f"incremental run after {added:,} new comments …", flush=True)
    incremental = run_command(args.database_url, draft_id, full=False)
    after = counts(draft_id)
    print("\n".join("  " + line for line in incremental["log"]))
    rows = _rows(before, after)
    print(
        f"  incremental: {incremental['wall_s']} s ({incremental['cpu_s']} s CPU), peak {incremental['peak_mb']} MB; "
        f"rows {rows}",
        flush=True,
    )
    result.update(
        added=added,
        incremental_s=incremental["wall_s"],
        incremental_cpu_s=incremental["cpu_s"],
        incremental_peak_mb=incremental["peak_mb"],
        incremental_rows=rows,
        incremental_summary=incremental["summary"],
    )

    if not args.skip_repeat:
        _empty_queues()
        before = counts(draft_id)
        print("full run again on the clustered draft …", flush=True)
        repeat = run_command(args.database_url, draft_id, full=True)
        after = counts(draft_id)
        print("\n".join("  " + line for line in repeat["log"]))
        print(f"  repeat: {repeat['wall_s']} s, peak {repeat['peak_mb']} MB; outbox {after['outbox']}", flush=True)
        result.update(
            repeat_full_s=repeat["wall_s"], repeat_full_peak_mb=repeat["peak_mb"], repeat_outbox=after["outbox"]
        )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
