"""The tallies the screens read agree with the comments, whatever wrote them and however many wrote at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from wagtail.models import ModelLogEntry

from consultations import services, tallies
from consultations.models import (
    VISIBLE_STATUSES,
    Campaign,
    Comment,
    CommenterTally,
    CommentStatus,
    CommentTally,
    HourTally,
    Stance,
    Theme,
    ThemeMembership,
    ThemeOrigin,
    ThemeTally,
)
from tests.conftest import require
from tests.factories import UserFactory


def _counted(draft) -> dict:
    """What the tallies should say, counted from the rows themselves."""
    comments = list(
        Comment.objects.filter(draft=draft).values(
            "pk", "provision_id", "campaign_id", "status", "stance", "campaign_addition", "created_at", "author_id"
        )
    )
    external = dict(Comment.objects.filter(draft=draft).values_list("pk", "external_author"))
    themed = set(ThemeMembership.objects.filter(comment__draft=draft).values_list("comment_id", flat=True))
    by_pk = {c["pk"]: c for c in comments}
    counts = {"comment": Counter(), "theme": Counter(), "hour": Counter(), "author": Counter()}
    for c in comments:
        key = (
            c["provision_id"],
            c["campaign_id"],
            c["status"],
            c["stance"],
            c["pk"] in themed,
            c["campaign_addition"] != "",
        )
        counts["comment"][key] += 1
        if c["status"] in VISIBLE_STATUSES:
            moment = c["created_at"].astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            counts["hour"][moment] += 1
            author = (
                f"u{c['author_id']}" if c["author_id"] else (f"x{external[c['pk']]}" if external[c["pk"]] else None)
            )
            if author:
                counts["author"][author] += 1
    for theme_id, comment_id in ThemeMembership.objects.filter(comment__draft=draft).values_list(
        "theme_id", "comment_id"
    ):
        c = by_pk[comment_id]
        counts["theme"][(theme_id, c["provision_id"], c["campaign_id"], c["status"], c["stance"])] += 1
    return {name: {key: n for key, n in counter.items() if n} for name, counter in counts.items()}


def _tallied(draft) -> dict:
    keys = {
        name: fields[1:]
        for name, fields in zip(("comment", "theme", "hour", "author"), tallies.TALLIES.values(), strict=True)
    }
    models = dict(zip(("comment", "theme", "hour", "author"), tallies.TALLIES, strict=True))
    result = {name: tallies.sums(models[name], draft.pk, keys[name]) for name in models}
    result["hour"] = {moment.astimezone(UTC): n for moment, n in result["hour"].items()}
    result["comment"] = {(*key[:4], bool(key[4]), bool(key[5])): n for key, n in result["comment"].items()}
    return result


def assert_tallies_match(draft) -> None:
    assert _tallied(draft) == _counted(draft)


def _bulk(draft, provision, n, *, status=CommentStatus.PUBLISHED, campaign=None, author_prefix="p", **extra):
    now = timezone.now()
    return Comment.objects.bulk_create(
        Comment(
            draft=draft,
            provision=provision if i % 3 else None,
            text=f"第{i}条意见：建议修改本条的表述。",
            text_hash=f"{author_prefix}{i}",
            stance=[Stance.SUPPORT, Stance.OPPOSE, Stance.AMEND][i % 3],
            status=status,
            external_author=f"{author_prefix}-{i % 7}" if i % 5 else "",
            campaign=campaign,
            created_at=now - timedelta(hours=i),
            **extra,
        )
        for i in range(n)
    )


def test_every_kind_of_write_is_counted(article_3, beijing_legislator, regions):
    # given a draft with comments submitted, imported in bulk and in a campaign
    draft, article = article_3
    submitted = [
        services.submit_comment(
            draft=draft, author=UserFactory(), provision=article, text=f"第三条应当写明{n}。", stance=Stance.AMEND
        )
        for n in range(3)
    ]
    imported = _bulk(draft, article, 30)
    now = timezone.now()
    campaign = Campaign.objects.create(draft=draft, key="k", form_text="同意", first_seen=now, last_seen=now)
    signers = _bulk(draft, article, 12, campaign=campaign, author_prefix="c", campaign_addition="")
    assert_tallies_match(draft)

    # when comments are moderated one by one and in bulk
    services.approve_comment(comment=submitted[0], moderator=beijing_legislator)
    services.reject_comment(comment=submitted[1], moderator=beijing_legislator, reason="重复")
    services.moderate_comments(
        comments=imported[:10], moderator=beijing_legislator, action=services.REJECT, reason="无关"
    )
    services.moderate_comments(comments=signers, moderator=beijing_legislator, action=services.APPROVE)
    assert_tallies_match(draft)

    # and grouped into themes by hand and by clustering, split, merged, undone, removed
    manual = services.create_theme(draft=draft, title="人工", comments=imported[10:16], user=beijing_legislator)
    clustered = Theme.objects.create(draft=draft, title="聚类", origin=ThemeOrigin.CLUSTER, cluster_key="t1")
    ThemeMembership.objects.bulk_create(
        ThemeMembership(theme=clustered, comment=c, similarity=0.5) for c in [*imported[12:25], *signers]
    )
    assert_tallies_match(draft)
    split = services.split_theme(theme=clustered, comments=signers[:4], title="拆分", user=beijing_legislator)
    services.remove_from_theme(theme=manual, comment=imported[10], user=beijing_legislator)
    services.merge_themes(source=split, target=manual, user=beijing_legislator)
    assert_tallies_match(draft)
    entry = ModelLogEntry.objects.for_instance(manual).filter(action=services.THEME_MERGED).first()
    services.undo_theme_change(theme=manual, entry_id=entry.pk, user=beijing_legislator)
    assert_tallies_match(draft)

    # and clustering relinks campaigns in bulk, a campaign goes, a comment and a theme are deleted
    for comment in imported[20:28]:
        comment.campaign, comment.campaign_addition = campaign, "我也这样认为"
    Comment.objects.bulk_update(imported[20:28], ["campaign", "campaign_addition"])
    Comment.objects.filter(pk__in=[c.pk for c in imported[28:30]]).update(stance=Stance.OPPOSE, provision=None)
    assert_tallies_match(draft)
    campaign.delete()
    imported[15].delete()
    clustered.delete()
    assert_tallies_match(draft)

    # then folding and counting again change nothing
    assert tallies.fold() >= 4
    assert CommentTally.objects.filter(draft_id=draft.pk, folded=False).count() == 0
    assert_tallies_match(draft)
    call_command("recount_comments", draft=draft.pk, verbosity=0)
    assert_tallies_match(draft)
    assert tallies.commenters(draft.pk) == len(_counted(draft)["author"])


def test_folding_keeps_one_row_per_key_and_drops_deleted_drafts(make_draft):
    draft, other = make_draft(), make_draft()
    for each in (draft, other):
        comments = _bulk(each, None, 20)
        Comment.objects.filter(pk__in=[c.pk for c in comments[:5]]).update(status=CommentStatus.REJECTED)
    before = CommentTally.objects.filter(draft_id=draft.pk).count()

    tallies.fold()
    other_id = other.pk
    other.delete()
    tallies.fold()

    keys = tallies.TALLIES[CommentTally]
    rows = list(CommentTally.objects.filter(draft_id=draft.pk).values_list(*keys))
    assert len(rows) == len(set(rows)) < before
    assert_tallies_match(draft)
    for model in tallies.TALLIES:
        assert not model.objects.filter(draft_id=other_id).exists()


def test_recounting_repairs_tallies_that_went_wrong(make_draft):
    draft = make_draft()
    _bulk(draft, None, 10)
    CommentTally.objects.filter(draft_id=draft.pk).update(n=999)
    HourTally.objects.filter(draft_id=draft.pk).delete()
    CommenterTally.objects.create(draft_id=draft.pk, author="xnobody", n=3)
    ThemeTally.objects.create(draft_id=draft.pk, theme_id=1, status="published", stance="amend", n=5)

    call_command("recount_comments", verbosity=0)

    assert_tallies_match(draft)


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_moderation_and_clustering_are_all_counted(make_draft, regions):
    require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    # given a draft with 40 comments and a legislator
    from accounts.roles import Role

    draft = make_draft()
    article = draft.current_version.provisions.get(kind="article", number=3)
    existing = _bulk(draft, article, 40)
    themes = [
        Theme.objects.create(draft=draft, title=f"聚类{n}", origin=ThemeOrigin.CLUSTER, cluster_key=f"t{n}")
        for n in range(2)
    ]
    legislator = UserFactory(role=Role.LEGISLATOR, jurisdiction_id="110000")
    authors = [UserFactory() for _ in range(12)]
    start = threading.Barrier(12 + 4)
    failures: list[BaseException] = []

    def run(work) -> None:
        try:
            start.wait(timeout=60)
            work()
        except BaseException as error:  # noqa: BLE001 - every failure is reported by the test
            failures.append(error)
        finally:
            connections.close_all()

    def submit(author):
        return lambda: services.submit_comment(
            draft=draft,
            author=author,
            provision=article,
            text=f"{author.email}认为第三条应当修改。",
            stance=Stance.OPPOSE,
        )

    def moderate(comments, action):
        return lambda: services.moderate_comments(
            comments=Comment.objects.filter(pk__in=[c.pk for c in comments]).select_related("draft"),
            moderator=legislator,
            action=action,
            reason="理由",
        )

    def cluster(theme, comments):
        return lambda: ThemeMembership.objects.bulk_create(
            [ThemeMembership(theme=theme, comment_id=c.pk, similarity=0.7) for c in comments], ignore_conflicts=True
        )

    # when twelve people submit while the same comments are moderated and clustered at once
    work = [submit(author) for author in authors]
    work += [
        moderate(existing[:20], services.REJECT),
        moderate(existing[10:30], services.APPROVE),
        cluster(themes[0], existing[5:25]),
        cluster(themes[1], existing[15:35]),
    ]
    threads = [threading.Thread(target=run, args=(each,)) for each in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then every change is counted once, before and after folding
    assert failures == []
    assert Comment.objects.filter(draft=draft).count() == 52
    assert_tallies_match(draft)
    tallies.fold()
    assert_tallies_match(draft)


def test_a_bulk_writer_is_counted_once_at_the_end(make_draft, beijing_legislator):
    # given a draft with 30 comments, and a writer that relinks them and groups them all at once
    draft = make_draft()
    comments = _bulk(draft, None, 30)
    now = timezone.now()
    campaign = Campaign.objects.create(draft=draft, key="k", form_text="同意", first_seen=now, last_seen=now)
    theme = Theme.objects.create(draft=draft, title="聚类", origin=ThemeOrigin.CLUSTER, cluster_key="t")
    appended = CommentTally.objects.filter(draft_id=draft.pk).count()

    # when it writes inside bulk_writes
    with tallies.bulk_writes(draft.pk, only=[CommentTally, ThemeTally]):
        for comment in comments[:12]:
            comment.campaign, comment.campaign_addition = campaign, "附议"
        Comment.objects.bulk_update(comments[:12], ["campaign", "campaign_addition"])
        ThemeMembership.objects.bulk_create(ThemeMembership(theme=theme, comment=c, similarity=0.4) for c in comments)
        if connection.vendor == "postgresql":  # the triggers did not count, row by row
            assert CommentTally.objects.filter(draft_id=draft.pk).count() == appended

    # then the tallies agree with the comments, and later writes are counted again
    assert_tallies_match(draft)
    services.moderate_comments(comments=comments[:3], moderator=beijing_legislator, action=services.APPROVE)
    ThemeMembership.objects.filter(theme=theme, comment__in=comments[3:6]).delete()
    assert_tallies_match(draft)
