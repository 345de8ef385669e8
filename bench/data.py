"""The bench's Django side: set up what the load drives, and count what was stored.

Run by `bench.load` as a subprocess under the server's own settings and environment:

    python -m bench.data setup --users 3000 --run r1     # prints one JSON line
    python -m bench.data count --run r1 --codes FILE      # prints one JSON line

It writes through the same models and services the platform uses; nothing here is timed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRAFT_TEXT = ROOT / "consultations" / "demo_data" / "wuzhangai_huanjing_jianshe_fa_2023.md"
DRAFT_SLUG = "bench-draft"
UNUSABLE = "!bench"  # an unusable password hash: the bench signs its users in through sessions


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "site"))
    import django

    django.setup()


def setup(*, users: int, run: str) -> dict:
    """Regions, an open draft with its articles, an open petition, and signed-in users (sessions)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import User
    from consultations.demo import ensure_index
    from consultations.models import COMMENTABLE_KINDS, DraftPage, ModerationMode
    from consultations.services import import_version
    from home.services import ensure_home_page
    from petitions.models import Petition, PetitionStatus
    from regions.models import Region
    from regions.services import GB2260_CSV, load_regions, read_region_rows

    started = time.monotonic()
    if not Region.objects.exists():
        load_regions(read_region_rows(GB2260_CSV))
    now = timezone.now()
    home = ensure_home_page()
    index = ensure_index(home)
    draft = DraftPage.objects.filter(slug=DRAFT_SLUG).first()
    if draft is None:
        draft = DraftPage(
            title="中华人民共和国无障碍环境建设法（草案）",
            slug=DRAFT_SLUG,
            drafting_body="全国人大常委会法制工作委员会",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=29),
            jurisdiction_id="000000",
            moderation=ModerationMode.POST,
        )
        index.add_child(instance=draft)
        draft.save_revision().publish()
        import_version(draft=draft, label="征求意见稿", text=DRAFT_TEXT.read_text(encoding="utf-8"))
        draft = DraftPage.objects.get(pk=draft.pk)
    provisions = list(
        draft.current_version.provisions.filter(kind__in=COMMENTABLE_KINDS).values_list("pk", flat=True)[:60]
    )

    creator, _ = User.objects.get_or_create(email="bench-creator@bench.example")
    petition = Petition.objects.create(
        creator=creator,
        title="在各地公交站台增设无障碍设施（负载测试）",
        action="请在全部公交站台增设无障碍坡道、盲道和语音报站设施。",
        background="",
        region_id="110000",
        status=PetitionStatus.OPEN,
        sponsor_token=get_random_string(43),
        opened_at=now,
        closes_at=now + timedelta(days=180),
    )

    counties = list(Region.objects.filter(level="county").order_by("code").values_list("code", flat=True))
    step = max(1, len(counties) // 400)
    region_codes = counties[::step][:400]

    # Users signed in the way Django signs them in: a session holding the user's id, backend and hash.
    with transaction.atomic():
        people = User.objects.bulk_create(
            [
                User(email=f"{run}-u{n}@bench.example", password=UNUSABLE, display_name=f"测试用户{n}")
                for n in range(users)
            ],
            batch_size=1000,
        )
        if people[0].pk is None:  # backends that return no ids from bulk_create
            people = list(User.objects.filter(email__startswith=f"{run}-u").order_by("pk"))
        backend = _session_backend(people[0])
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in people],
            batch_size=1000,
        )
        store = SessionStore()
        expires = now + timedelta(days=1)
        sessions = []
        keys = []
        for user in people:
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: backend,
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
            keys.append(key)
        Session.objects.bulk_create(sessions, batch_size=1000)

    return {
        "draft_url": draft.url,
        "draft_id": draft.pk,
        "provisions": provisions,
        "petition_id": petition.pk,
        "regions": region_codes,
        "sessions": keys,
        "setup_seconds": round(time.monotonic() - started, 1),
    }


def _session_backend(user) -> str:
    """The first authentication backend that finds a user by the id a session holds (as a sign-in records)."""
    from django.conf import settings
    from django.contrib.auth import load_backend

    for path in settings.AUTHENTICATION_BACKENDS:
        if hasattr(load_backend(path), "get_user") and load_backend(path).get_user(user.pk) == user:
            return path
    raise RuntimeError("no authentication backend loads users by id")


def pending_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count()


def count(*, run: str, codes: list[str], drain_timeout: float) -> dict:
    """What the database holds for this run: comment and report tags, signatures, the codes' digests."""
    from consultations.models import Comment
    from petitions.models import Signature
    from reports.codes import code_digest, normalise_code
    from reports.models import Report

    started = time.monotonic()
    pending = pending_tasks()
    while pending and time.monotonic() - started < drain_timeout:
        time.sleep(0.5)
        pending = pending_tasks()
    marker = f"[{run}:"
    comments = [
        text[text.index(marker) + 1 : text.index("]", text.index(marker))]
        for text in Comment.objects.filter(text__contains=marker).values_list("text", flat=True)
    ]
    reports = [
        {"tag": text[text.index(marker) + 1 : text.index("]", text.index(marker))], "digest": digest}
        for text, digest in Report.objects.filter(description__contains=marker).values_list(
            "description", "code_digest"
        )
    ]
    signatures = {
        email: confirmed is not None
        for email, confirmed in Signature.objects.filter(email__startswith=f"{run}-").values_list(
            "email", "confirmed_at"
        )
    }
    digests = {}
    for code in codes:
        normal = normalise_code(code)
        digests[code] = code_digest(normal) if normal else ""
    return {
        "comments": comments,
        "reports": reports,
        "signatures": signatures,
        "digests": digests,
        "tasks_pending": pending,
        "drain_seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.data")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("setup")
    make.add_argument("--users", type=int, required=True)
    make.add_argument("--run", required=True)
    tally = commands.add_parser("count")
    tally.add_argument("--run", required=True)
    tally.add_argument("--codes", type=Path, help="a JSON file: the follow-up codes the clients were shown")
    tally.add_argument("--drain-timeout", type=float, default=0)
    args = parser.parse_args(argv)
    _django()
    if args.command == "setup":
        result = setup(users=args.users, run=args.run)
    else:
        codes = json.loads(args.codes.read_text()) if args.codes else []
        result = count(run=args.run, codes=codes, drain_timeout=args.drain_timeout)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
