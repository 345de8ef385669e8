"""Screens at scale: every legislator screen and the public pages of one draft with many comments, timed.

    .venv/bin/python -m bench.screens --database-url postgres://postgres@127.0.0.1:5432/h6_scale --build
    .venv/bin/python -m bench.screens --database-url postgres://postgres@127.0.0.1:5432/h6_scale
    .venv/bin/python -m bench.screens --database-url … --before /tmp/base   # the same screens on other code too

`--build` makes the consultation once (skipped when the database already holds it): the 行政复议法 draft with
423,719 comments from 85,221 people (`external_author`), each comment a clause of the article it is on and two
clauses of real citizens' messages (../shared/data/text/gov_messages_dev.csv; the vTaiwan comments of the demo
when that file is absent), 30 % signing one of five form letters (some adding words of their own), statuses as
on a post-moderated draft (most published or approved, some pending or rejected), over 50 days. Themes are made
as clustering leaves them (one per article for most of its comments, one per campaign, two grouped by hand,
representatives stored), in bulk rather than by running clustering (that is `bench.scale`'s job), and the
comments are indexed for search (the database backend unless ELASTICSEARCH_URL is set).

Each screen is fetched through Django's test client (server time: no network, no browser), once to warm up and
then `--repeat` times; the median is reported with the response's status and the number of SQL queries.
Legislator screens are fetched signed in as a legislator of the draft's jurisdiction, public pages anonymously.
With `--before DIR` the same screens are first measured on the code checked out in DIR (for instance
`git archive <commit> | tar -x -C DIR`), in a subprocess, so both columns come from one run on one database.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MESSAGES_CSV = ROOT.parent / "shared" / "data" / "text" / "gov_messages_dev.csv"
FALLBACK_CSV = ROOT / "consultations" / "demo_data" / "vtaiwan_uberx_comments.csv"
DRAFT_TEXT = ROOT / "consultations" / "demo_data" / "xingzheng_fuyi_fa_2023.md"
SLUG = "bench-screens"
LEGISLATOR = "legislator@screens.bench"
FREQUENT_WORD = "行政复议"
FORM_LETTERS = [
    "坚决支持将行政复议作为化解行政争议的主渠道，建议明确复议机关不得以任何理由拒绝受理。",
    "建议将行政复议申请期限由六十日延长至九十日，保障群众有足够时间准备材料。",
    "反对行政复议前置范围的扩大，应当允许当事人直接向人民法院提起行政诉讼。",
    "建议行政复议决定书一律向社会公开，接受人民群众监督。",
    "建议设立行政复议委员会，吸收律师、专家学者参与案件审理。",
]
STATUSES = [("approved", 0.55), ("published", 0.37), ("pending", 0.05), ("rejected", 0.03)]
STANCES = [("amend", 0.45), ("support", 0.25), ("oppose", 0.20), ("unstated", 0.10)]


def _django(code: Path = ROOT) -> None:
    sys.path.insert(0, str(code))
    sys.path.insert(0, str(code / "site"))
    import django

    django.setup()


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    value = rng.random()
    for choice, share in weighted:
        value -= share
        if value < 0:
            return choice
    return weighted[-1][0]


def _clauses(text: str) -> list[str]:
    for mark in "。；！？":
        text = text.replace(mark, "，")
    return [clause.strip() for clause in text.split("，") if len(clause.strip()) >= 4]


def _message_clauses() -> list[str]:
    if MESSAGES_CSV.exists():
        with open(MESSAGES_CSV, encoding="utf-8") as f:
            return [c for row in csv.DictReader(f) for c in _clauses(row["text"]) if len(c) <= 60]
    with open(FALLBACK_CSV, encoding="utf-8") as f:
        return [c for row in csv.DictReader(f) for c in _clauses(row["comment-body"]) if len(c) <= 60]


def build(*, comments: int, commenters: int) -> dict:
    """The consultation, once: draft, comments, campaigns, themes, search index, a legislator."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from consultations.demo import ensure_index
    from consultations.models import (
        Campaign,
        Comment,
        DraftPage,
        ModerationMode,
    )
    from consultations.services import comment_hash, import_version
    from home.services import ensure_home_page
    from regions.models import Region

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        call_command("load_regions", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    existing = DraftPage.objects.filter(slug=SLUG).first()
    if existing is not None:
        print(f"The draft is there already ({Comment.objects.filter(draft=existing).count():,} comments).")
        return {"draft": existing.pk, "built": False}
    rng = random.Random(2026)  # noqa: S311 - test data, the same on every run
    messages = _message_clauses()
    now = timezone.now()
    index = ensure_index(ensure_home_page())
    draft = DraftPage(
        title="中华人民共和国行政复议法（修订草案）",
        slug=SLUG,
        drafting_body="全国人大常委会法制工作委员会",
        summary="规模测试：一部草案上的四十二万条意见。",
        opens_at=now - timedelta(days=50),
        closes_at=now + timedelta(days=10),
        jurisdiction_id="110000",
        moderation=ModerationMode.POST,
    )
    index.add_child(instance=draft)
    draft.save_revision().publish()
    import_version(draft=draft, label="一审稿", text=DRAFT_TEXT.read_text(encoding="utf-8"))
    draft = DraftPage.objects.get(pk=draft.pk)
    articles = list(draft.current_version.provisions.filter(kind="article").order_by("position"))
    article_clauses = {a.pk: _clauses(a.text) for a in articles}
    frequent = {pk: [c for c in clauses if FREQUENT_WORD in c] for pk, clauses in article_clauses.items()}
    counties = list(Region.objects.filter(level="county").order_by("code").values_list("code", flat=True))
    counties = counties[:: max(1, len(counties) // 400)][:400]
    campaigns = [
        Campaign.objects.create(
            draft=draft,
            key=f"bench-form-{n}",
            form_text=text,
            first_seen=now - timedelta(days=50),
            last_seen=now,
        )
        for n, text in enumerate(FORM_LETTERS)
    ]
    campaign_article = [articles[(n * 13 + 2) % len(articles)].pk for n in range(len(campaigns))]
    window = 50 * 24 * 3600
    batch: list[Comment] = []
    print(f"Building {comments:,} comments from {commenters:,} people …", flush=True)
    with transaction.atomic():
        for n in range(comments):
            campaign = None
            addition = ""
            if rng.random() < 0.30:
                number = rng.randrange(len(campaigns))
                campaign = campaigns[number]
                provision_id = campaign_article[number]
                if rng.random() < 0.4:
                    addition = rng.choice(messages)
                text = FORM_LETTERS[number] + addition
            else:
                provision_id = rng.choice(articles).pk if rng.random() < 0.85 else None
                lead = ""
                if provision_id is not None and article_clauses[provision_id]:
                    pool = frequent[provision_id] if frequent[provision_id] and rng.random() < 0.7 else None
                    lead = rng.choice(pool or article_clauses[provision_id]) + "，"
                text = f"{lead}{rng.choice(messages)}，{rng.choice(messages)}。"
            batch.append(
                Comment(
                    draft=draft,
                    provision_id=provision_id,
                    external_author=f"person-{rng.randrange(commenters)}",
                    text=text,
                    text_hash=comment_hash(text),
                    stance=_pick(rng, STANCES),
                    status=_pick(rng, STATUSES),
                    region_id=rng.choice(counties),
                    campaign=campaign,
                    campaign_addition=addition,
                    created_at=now - timedelta(seconds=window * (1 - n / comments)),
                )
            )
            if len(batch) == 5000:
                Comment.objects.bulk_create(batch)
                batch = []
                if (n + 1) % 50000 == 0:
                    print(f"  {n + 1:,} comments ({time.monotonic() - started:.0f} s)", flush=True)
        Comment.objects.bulk_create(batch)
    for campaign in campaigns:
        members = Comment.objects.filter(campaign=campaign)
        Campaign.objects.filter(pk=campaign.pk).update(
            size=members.count(), representative=members.order_by("pk").first()
        )
    print(f"  comments done ({time.monotonic() - started:.0f} s); themes …", flush=True)
    _themes(draft, campaigns, rng)
    print(f"  themes done ({time.monotonic() - started:.0f} s); indexing for search …", flush=True)
    _legislator()
    from search.indexing import rebuild

    def progress(name: str, count: int) -> None:
        if count % 50000 == 0:
            print(f"  indexed {count:,} {name} ({time.monotonic() - started:.0f} s)", flush=True)

    rebuild(["article", "comment"], progress=progress)
    print(f"Built in {time.monotonic() - started:.0f} s", flush=True)
    return {"draft": draft.pk, "built": True, "seconds": round(time.monotonic() - started)}


def _themes(draft, campaigns, rng: random.Random) -> None:
    """Themes as clustering leaves them: per article most of its visible comments, one per campaign, two by hand."""
    from consultations.models import VISIBLE_STATUSES, Comment, Theme, ThemeMembership, ThemeOrigin

    rows = (
        Comment.objects.filter(draft=draft, status__in=VISIBLE_STATUSES)
        .order_by("pk")
        .values_list("pk", "provision_id", "campaign_id")
    )
    by_article: dict = {}
    by_campaign: dict = {}
    for pk, provision_id, campaign_id in rows.iterator(chunk_size=20000):
        if campaign_id is not None:
            by_campaign.setdefault(campaign_id, []).append(pk)
        elif rng.random() < 0.85:
            by_article.setdefault(provision_id, []).append(pk)
    position = 0
    memberships: list[ThemeMembership] = []

    def theme(title: str, members: list[int], provision_id, key: str, origin=ThemeOrigin.CLUSTER) -> None:
        nonlocal position
        position += 1
        row = Theme.objects.create(
            draft=draft,
            title=title,
            auto_title=title if origin == ThemeOrigin.CLUSTER else "",
            origin=origin,
            cluster_key=key if origin == ThemeOrigin.CLUSTER else "",
            terms=["行政复议", "申请", "期限"] if origin == ThemeOrigin.CLUSTER else [],
            representatives=members[:3] if origin == ThemeOrigin.CLUSTER else [],
            provision_id=provision_id,
            position=position,
        )
        for pk in members:
            similarity = round(rng.uniform(0.3, 0.95), 6) if origin == ThemeOrigin.CLUSTER else None
            memberships.append(ThemeMembership(theme=row, comment_id=pk, similarity=similarity))
        if len(memberships) >= 20000:
            ThemeMembership.objects.bulk_create(memberships, batch_size=5000)
            memberships.clear()

    from consultations.models import Provision

    labels = dict(Provision.objects.filter(pk__in=[p for p in by_article if p]).values_list("pk", "label"))
    manual = []
    for provision_id, members in sorted(by_article.items(), key=lambda item: item[0] or 0):
        rng.shuffle(members)
        manual.extend(members[:150])
        members = sorted(members[150:])
        title = f"{labels[provision_id]}的修改意见" if provision_id else "对草案整体的意见"
        theme(title, members, provision_id, f"bench-a{provision_id or 0}")
    for number, campaign in enumerate(campaigns):
        members = by_campaign.get(campaign.pk, [])
        theme(f"联署意见{number + 1}", members, None, f"bench-c{number}")
    rng.shuffle(manual)
    theme("人工归类：复议机关", sorted(manual[:300]), None, "", ThemeOrigin.MANUAL)
    theme("人工归类：听证程序", sorted(manual[300:600]), None, "", ThemeOrigin.MANUAL)
    ThemeMembership.objects.bulk_create(memberships, batch_size=5000)


def _legislator():
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from accounts.roles import Role, assign_role

    user = User.objects.filter(email=LEGISLATOR).first()
    if user is None:
        user = User.objects.create_user(email=LEGISLATOR, password=None, jurisdiction_id="110000")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        assign_role(user, Role.LEGISLATOR)
    return user


# --- measuring --------------------------------------------------------------------------------


def screens(draft) -> list[tuple[str, str, bool]]:
    """(name, URL, signed in as the legislator) of every screen measured."""
    from django.db.models import Count
    from django.urls import reverse

    from consultations.models import Comment, Theme

    top_article = (
        Comment.objects.filter(draft=draft, provision__isnull=False)
        .values("provision_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["provision_id"]
    )
    largest = (
        Theme.objects.filter(draft=draft).annotate(n=Count("memberships")).order_by("-n").values_list("pk", flat=True)
    )[0]
    admin = "consultations_admin:"
    return [
        ("draft page", draft.url, False),
        ("article page", f"{draft.url}articles/{top_article}/", False),
        ("comments API, page 2", f"/api/consultations/drafts/{draft.pk}/comments?page=2", False),
        ("public search 行政复议", f"/search/?q={FREQUENT_WORD}", False),
        ("handling report", f"{draft.url}report/", True),
        ("consultations list", reverse(admin + "drafts"), True),
        ("review overview", reverse(admin + "review", args=[draft.pk]), True),
        ("per-article review", reverse(admin + "review_articles", args=[draft.pk]), True),
        ("themes & report", reverse(admin + "themes", args=[draft.pk]), True),
        ("campaigns", reverse(admin + "review_campaigns", args=[draft.pk]), True),
        ("a theme (largest), page 1", reverse(admin + "review_theme", args=[largest]), True),
        ("a theme (largest), page 20", reverse(admin + "review_theme", args=[largest]) + "?page=20", True),
        (
            "search in comments 行政复议",
            reverse(admin + "review_search", args=[draft.pk]) + f"?q={FREQUENT_WORD}",
            True,
        ),
        ("moderation queue", reverse(admin + "moderation") + f"?draft={draft.pk}", True),
    ]


def measure(*, repeat: int, only: str | None = None) -> dict:
    """Each screen: warm-up, then `repeat` fetches; median seconds, status, queries."""
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from consultations.models import Comment, DraftPage

    setup_test_environment()
    settings.DEBUG = True  # count the queries (connection.queries)
    draft = DraftPage.objects.get(slug=SLUG)
    legislator = User.objects.get(email=LEGISLATOR)
    staff, public = Client(), Client()
    staff.force_login(legislator)
    results = {}
    for name, url, signed_in in screens(draft):
        if only and only not in name:
            continue
        client = staff if signed_in else public
        times = []
        status = queries = None
        for attempt in range(repeat + 1):
            reset_queries()
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            elapsed = time.perf_counter() - started
            status, queries = response.status_code, len(connection.queries)
            if attempt:  # the first is the warm-up
                times.append(elapsed)
        results[name] = {"seconds": round(statistics.median(times), 4), "status": status, "queries": queries}
        print(f"  {name:30} {results[name]['seconds'] * 1000:10.1f} ms  {status}  {queries} queries", flush=True)
    results["_comments"] = Comment.objects.filter(draft=draft).count()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL, e.g. postgres://postgres@127.0.0.1/h6_scale")
    parser.add_argument("--build", action="store_true", help="make the consultation first (once)")
    parser.add_argument("--comments", type=int, default=423_719)
    parser.add_argument("--commenters", type=int, default=85_221)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", type=Path, help="also measure the code checked out in this folder, first")
    parser.add_argument("--before-repeat", type=int, help="repeats for --before (default: --repeat)")
    parser.add_argument("--only", help="only the screens whose name contains this")
    parser.add_argument("--measure-code", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("TASK_BACKEND", "immediate")
    if args.measure_code:  # the subprocess of --before: measure on that code, print one JSON line
        _django(args.measure_code)
        print(json.dumps(measure(repeat=args.repeat, only=args.only), ensure_ascii=False))
        return
    result: dict = {"database": args.database_url.split("@")[-1]}
    if args.build:
        _django()
        result["build"] = build(comments=args.comments, commenters=args.commenters)
    before = None
    if args.before:
        print(f"Before: the code in {args.before}", flush=True)
        command = [sys.executable, "-m", "bench.screens", "--database-url", args.database_url]
        command += ["--measure-code", str(args.before.resolve()), "--repeat", str(args.before_repeat or args.repeat)]
        if args.only:
            command += ["--only", args.only]
        run = subprocess.run(command, cwd=ROOT, env=os.environ, capture_output=True, text=True, check=True)  # noqa: S603
        sys.stdout.write("".join(line + "\n" for line in run.stdout.splitlines()[:-1]))
        before = json.loads(run.stdout.strip().splitlines()[-1])
    print("After: this checkout" if before else "This checkout", flush=True)
    if not args.build:
        _django()
    after = measure(repeat=args.repeat, only=args.only)
    result["comments"] = after.pop("_comments")
    if before:
        before.pop("_comments", None)
        print(f"\n{'screen':30} {'before':>12} {'after':>12}")
        for name, figures in after.items():
            old = before.get(name, {}).get("seconds")
            print(
                f"{name:30} {'' if old is None else f'{old * 1000:10.0f} ms':>12} {figures['seconds'] * 1000:9.1f} ms"
            )
        result["before"] = {name: figures["seconds"] for name, figures in before.items()}
    result["after"] = {name: figures["seconds"] for name, figures in after.items()}
    result["queries"] = {name: figures["queries"] for name, figures in after.items()}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
