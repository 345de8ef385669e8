"""Export benchmark: Excel, CSV and open data for a draft with many comments, time and memory.

    .venv/bin/python -m bench.exports                      # 423,719 comments (the record consultation)
    .venv/bin/python -m bench.exports --comments 50000     # quicker
    .venv/bin/python -m bench.exports --database-url postgres://postgres@127.0.0.1:5432/sunshine_bench

It builds a scratch database (SQLite in a temporary folder unless --database-url is given) with two
drafts: a small one (a tenth of the comments) and a large one, real comment texts recombined so
that each is distinct, 30 % of them in campaigns. Each export of each draft then runs in a fresh
process, which reports its wall time and its peak resident memory; a process that only starts
Django is the baseline. "growth" is how far resident memory rose above where it stood when the
export began: memory that does not grow with the comments shows as the same growth for the small and
the large draft. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMENTS_CSV = ROOT / "consultations" / "demo_data" / "vtaiwan_uberx_comments.csv"
DRAFT_TEXT = ROOT / "consultations" / "demo_data" / "xingzheng_fuyi_fa_2023.md"
WHAT = ("baseline", "xlsx", "csv", "opendata", "file")


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "site"))
    import django

    django.setup()


def _peak_mb() -> float:
    """Peak resident memory of this process since start, or since `_reset_peak()` (Linux: VmHWM)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(round(int(line.split()[1]) / 1024, 1) for line in status if line.startswith("VmRSS:"))


def _reset_peak() -> None:
    """Start the peak over from the current resident size (Linux ≥ 4.0: clear_refs 5)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")


def build(comments: int) -> dict:
    """Regions, two drafts with `comments` / 10 and `comments` comments, their reports published."""
    from django.core.management import call_command
    from django.utils import timezone

    from consultations.demo import ensure_index
    from consultations.models import Campaign, Comment, CommentStatus, DraftPage, ReportPublication, Stance
    from consultations.services import comment_hash, import_version
    from home.services import ensure_home_page

    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with open(COMMENTS_CSV, encoding="utf-8") as f:
        clauses = [c for row in csv.DictReader(f) for c in row["comment-body"].replace("。", "，").split("，") if c]
    rng = random.Random(2026)  # noqa: S311 - test data, the same on every run
    index = ensure_index(ensure_home_page())
    now = timezone.now()
    drafts = {}
    for name, size in (("small", max(comments // 10, 1)), ("large", comments)):
        draft = DraftPage(
            title=f"行政复议法（修订草案）导出测试 {name}",
            slug=f"bench-export-{name}",
            drafting_body="全国人大常委会法工委",
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=30),
            jurisdiction_id="110000",
        )
        index.add_child(instance=draft)
        draft.save_revision().publish()
        import_version(draft=draft, label="一审稿", text=DRAFT_TEXT.read_text(encoding="utf-8"))
        articles = list(draft.current_version.provisions.filter(kind="article").values_list("pk", flat=True))
        campaigns = [
            Campaign.objects.create(
                draft=draft, key=f"form-{i}", form_text=f"格式意见{i}", first_seen=now, last_seen=now
            )
            for i in range(5)
        ]
        stances = [s for s, _ in Stance.choices]
        started, batch = time.monotonic(), []
        for n in range(size):
            text = "，".join(rng.sample(clauses, 3)) + f"。（{n}）"
            batch.append(
                Comment(
                    draft=draft,
                    provision_id=rng.choice(articles) if rng.random() < 0.8 else None,
                    external_author=f"person-{n % 85221}",
                    source="bench",
                    text=text,
                    text_hash=comment_hash(text),
                    stance=rng.choice(stances),
                    status=CommentStatus.APPROVED if rng.random() < 0.9 else CommentStatus.REJECTED,
                    campaign=rng.choice(campaigns) if rng.random() < 0.3 else None,
                    created_at=now - timedelta(days=45, seconds=n),
                )
            )
            if len(batch) == 5000:
                Comment.objects.bulk_create(batch)
                batch = []
                print(f"  {name}: {n + 1:,} / {size:,} comments", flush=True)
        Comment.objects.bulk_create(batch)
        ReportPublication.objects.create(draft=draft)
        print(f"  {name}: {size:,} comments in {time.monotonic() - started:.0f} s", flush=True)
        drafts[name] = {"id": draft.pk, "comments": size}
    return drafts


def measure(what: str, draft_id: int) -> dict:
    """One export of one draft, in this process: wall seconds and peak resident memory."""
    from consultations import exports
    from consultations.models import DraftPage

    draft = DraftPage.objects.get(pk=draft_id)
    from core import xlsx  # noqa: F401 - imported before the measure: its code is not the export's memory

    _reset_peak()
    before = _resident_mb()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        if what == "xlsx":
            with open(Path(folder) / "out.xlsx", "wb") as out:
                exports.write_comments_workbook(draft, out)
        elif what == "csv":
            with open(Path(folder) / "out.csv", "w", encoding="utf-8") as out:
                for line in exports.comments_csv(draft):
                    out.write(line)
        elif what == "file":  # a large draft's export: the task that writes the file its manager downloads
            from django.test import override_settings

            from consultations.models import CommentExport

            with override_settings(PRIVATE_MEDIA_ROOT=folder):
                export = CommentExport.objects.create(draft=draft, fmt="xlsx", rows_total=0)
                exports.write_comment_export.call(export.pk)
                export.refresh_from_db()
                assert export.status == "ready", export.status
                export.delete()
        elif what == "opendata":
            from django.test import override_settings

            with override_settings(OPEN_DATA_ROOT=folder):
                exports.write_open_data(draft)
    seconds = round(time.perf_counter() - started, 2)
    return {"seconds": seconds, "peak_mb": _peak_mb(), "growth_mb": round(_peak_mb() - before, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=423_719)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--measure", choices=WHAT, help=argparse.SUPPRESS)
    parser.add_argument("--draft", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        _django()
        print(json.dumps(measure(args.measure, args.draft) if args.measure != "baseline" else {"peak_mb": _peak_mb()}))
        return
    with tempfile.TemporaryDirectory() as temp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": args.database_url or f"sqlite:///{temp}/db.sqlite3",
            "TASK_BACKEND": "immediate",
        }
        os.environ.update(env)
        print(f"Building {args.comments:,} comments on {env['DATABASE_URL'].split('@')[-1]} …", flush=True)
        _django()
        drafts = build(args.comments)
        result: dict = {"comments": args.comments, "database": env["DATABASE_URL"].split(":")[0]}
        base = subprocess.run(
            [sys.executable, "-m", "bench.exports", "--measure", "baseline"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        result["baseline_peak_mb"] = json.loads(base.stdout.strip().splitlines()[-1])["peak_mb"]
        for what in WHAT[1:]:
            for name, draft in drafts.items():
                run = subprocess.run(  # noqa: S603 - our own module, fixed arguments
                    [sys.executable, "-m", "bench.exports", "--measure", what, "--draft", str(draft["id"])],
                    env=env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                figures = json.loads(run.stdout.strip().splitlines()[-1])
                rate = round(draft["comments"] / figures["seconds"]) if figures["seconds"] else None
                print(
                    f"{what:9} {name:5} {draft['comments']:>9,} comments  {figures['seconds']:7.2f} s  "
                    f"{rate or 0:>7,}/s  peak {figures['peak_mb']:7.1f} MB (+{figures['growth_mb']:.1f} MB during the export)",
                    flush=True,
                )
                result[f"{what}_{name}_seconds"] = figures["seconds"]
                result[f"{what}_{name}_peak_mb"] = figures["peak_mb"]
                result[f"{what}_{name}_growth_mb"] = figures["growth_mb"]
        print(json.dumps(result))


if __name__ == "__main__":
    main()
