"""The clustering adapter: campaigns and themes written for one draft, stable across runs."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import models

from consultations.clustering import cluster_draft, schedule_clustering
from consultations.models import (
    Campaign,
    Comment,
    CommentStatus,
    Decision,
    DraftPage,
    Stance,
    Theme,
    ThemeMembership,
    ThemeOrigin,
)
from consultations.services import comment_hash
from tests.conftest import require
from tests.factories import UserFactory

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SHOPPING = DATA / "text" / "online_shopping_10_cats.csv"
FORM_LETTER = "建议删除第三条中关于业主大会会议召开比例的规定，改为由业主自行协商确定，保障每一位业主的表决权利。"


def _reviews(label: str, count: int, skip: int = 0) -> list[str]:
    found = []
    with SHOPPING.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["label"] == label and len(row["text"]) >= 15:
                found.append(row["text"])
                if len(found) >= skip + count:
                    break
    return found[skip:]


def _comment(draft, text: str, *, status=CommentStatus.APPROVED, provision=None, stance=Stance.SUPPORT) -> Comment:
    return Comment.objects.create(
        draft=draft,
        provision=provision,
        author=UserFactory(),
        text=text,
        text_hash=comment_hash(text),
        stance=stance,
        status=status,
    )


@pytest.fixture
def commented_draft(article_3):
    require(SHOPPING.exists(), "../shared/data/text/online_shopping_10_cats.csv is missing")
    draft, article = article_3
    for label in ("酒店", "书籍", "水果"):
        for text in _reviews(label, 25):
            _comment(draft, text, provision=article if label == "水果" else None)
    for number in range(12):  # a campaign: the same letter, some signers add a sentence
        suffix = f"我是第{number}号楼的业主，希望采纳。" if number % 3 == 0 else ""
        _comment(draft, FORM_LETTER + suffix, stance=Stance.AMEND)
    _comment(draft, "这条评论被拒绝了，不应当进入任何主题。", status=CommentStatus.REJECTED)
    return draft


def _clustered(draft):
    return Theme.objects.filter(draft=draft, origin=ThemeOrigin.CLUSTER)


def _snapshot(draft) -> dict[str, set[int]]:
    return {
        theme.cluster_key: set(theme.memberships.values_list("comment_id", flat=True)) for theme in _clustered(draft)
    }


@pytest.mark.django_db
def test_full_run_writes_themes_memberships_and_campaigns(commented_draft, legislator):
    # given: a manual theme staff made before, holding one approved comment
    draft = commented_draft
    manual = Theme.objects.create(draft=draft, title="人工归类", origin=ThemeOrigin.MANUAL)
    by_hand = Comment.objects.filter(draft=draft, status=CommentStatus.APPROVED).order_by("pk").first()
    ThemeMembership.objects.create(theme=manual, comment=by_hand)

    # when
    summary = cluster_draft(draft=draft, k=4, full=True)

    # then: every approved comment not grouped by hand is in exactly one clustered theme
    approved = set(Comment.objects.filter(draft=draft, status=CommentStatus.APPROVED).values_list("pk", flat=True))
    memberships = list(ThemeMembership.objects.filter(theme__in=_clustered(draft)).values_list("comment_id", flat=True))
    assert summary.mode == "full" and summary.comments == len(approved) == 87
    assert sorted(memberships) == sorted(approved - {by_hand.pk})
    themes = list(_clustered(draft))
    assert 2 <= len(themes) <= 4 and summary.themes_created == len(themes)
    assert all(theme.cluster_key and theme.terms and theme.title for theme in themes)
    assert all(isinstance(term, str) for theme in themes for term in theme.terms)
    # the campaign is one row with its 12 signers; four of them added a sentence
    campaign = Campaign.objects.get(draft=draft)
    assert campaign.size == 12 and campaign.comments.count() == 12
    assert campaign.form_text == FORM_LETTER
    assert campaign.comments.exclude(campaign_addition="").count() == 4
    assert "号楼" in campaign.comments.exclude(campaign_addition="").first().campaign_addition
    # the campaign's comments are in one theme, and the fruit theme carries its article
    campaign_themes = set(
        ThemeMembership.objects.filter(comment__campaign=campaign, theme__origin=ThemeOrigin.CLUSTER).values_list(
            "theme_id", flat=True
        )
    )
    assert len(campaign_themes) == 1
    assert any(theme.provision_id is not None for theme in themes)
    # the manual theme is untouched
    assert manual.memberships.count() == 1 and Theme.objects.get(pk=manual.pk).origin == ThemeOrigin.MANUAL


@pytest.mark.django_db
def test_runs_are_idempotent(commented_draft):
    draft = commented_draft
    cluster_draft(draft=draft, k=4, full=True)
    before = _snapshot(draft)
    campaigns_before = list(Campaign.objects.filter(draft=draft).values_list("key", "size"))

    again = cluster_draft(draft=draft, k=4, full=True)
    incremental = cluster_draft(draft=draft)

    assert _snapshot(draft) == before
    assert list(Campaign.objects.filter(draft=draft).values_list("key", "size")) == campaigns_before
    assert again.themes_created == 0 and again.themes_removed == 0
    assert incremental.mode == "incremental" and incremental.assigned == 0 and incremental.waiting == 0


@pytest.mark.django_db
def test_incremental_run_adds_new_comments_without_reshuffling(commented_draft, legislator):
    # given: themes, one of them answered by the legislators
    draft = commented_draft
    cluster_draft(draft=draft, k=4, full=True)
    before = _snapshot(draft)
    hotel = max(_clustered(draft), key=lambda theme: sum("酒店" in t or "房间" in t for t in theme.terms))
    Theme.objects.filter(pk=hotel.pk).update(decision=Decision.ADOPTED, reason="已采纳")

    # when: new hotel reviews and another signer of the campaign arrive
    new = [_comment(draft, text) for text in _reviews("酒店", 5, skip=25)]
    signer = _comment(draft, FORM_LETTER + "我家有老人，希望尽快修改。")
    summary = cluster_draft(draft=draft)

    # then: no theme lost a member or changed its key; the new comments joined themes
    after = _snapshot(draft)
    assert set(after) == set(before)
    assert all(before[key] <= after[key] for key in before)
    hotel.refresh_from_db()
    assert hotel.decision == Decision.ADOPTED
    assert summary.assigned + summary.waiting == 6
    joined_hotel = set(hotel.memberships.values_list("comment_id", flat=True)) & {c.pk for c in new}
    assert len(joined_hotel) >= 3
    signer.refresh_from_db()
    assert signer.campaign is not None and signer.campaign.size == 13
    campaign_theme = ThemeMembership.objects.filter(
        comment__campaign=signer.campaign, theme__origin=ThemeOrigin.CLUSTER
    ).values_list("theme_id", flat=True)
    assert len(set(campaign_theme)) == 1


@pytest.mark.django_db
def test_full_recompute_keeps_decided_themes(commented_draft):
    # given
    draft = commented_draft
    cluster_draft(draft=draft, k=4, full=True)
    decided = _clustered(draft).first()
    members = set(decided.memberships.values_list("comment_id", flat=True))
    Theme.objects.filter(pk=decided.pk).update(decision=Decision.NOT_ADOPTED, reason="不符合上位法")

    # when: a recompute with another number of themes
    summary = cluster_draft(draft=draft, k=2, full=True)

    # then: the decided theme keeps its key, decision and members; nobody else holds them
    decided.refresh_from_db()
    assert decided.decision == Decision.NOT_ADOPTED and decided.cluster_key
    assert set(decided.memberships.values_list("comment_id", flat=True)) == members
    others = ThemeMembership.objects.filter(theme__in=_clustered(draft).exclude(pk=decided.pk))
    assert not set(others.values_list("comment_id", flat=True)) & members
    assert summary.themes_kept == 1


@pytest.mark.django_db
def test_too_few_comments_make_no_themes(article_3):
    draft, _article = article_3
    _comment(draft, "物业费太高了，应当公开收支明细。")
    summary = cluster_draft(draft=draft)
    assert summary.mode == "skipped" and not _clustered(draft).exists()


@pytest.mark.django_db
def test_a_draft_whose_report_is_out_is_left_alone(commented_draft):
    from consultations.models import DraftPage, ReportPublication

    ReportPublication.objects.create(draft=commented_draft)
    summary = cluster_draft(draft=DraftPage.objects.get(pk=commented_draft.pk), full=True)
    assert summary.mode == "skipped" and not _clustered(commented_draft).exists()
    assert not Campaign.objects.filter(draft=commented_draft).exists()


@pytest.fixture
def queued_runs(monkeypatch):
    """Records the drafts whose clustering run is queued, in order (`.runs`); `.hold = True` queues
    without running (a busy worker)."""
    from consultations import clustering

    real = clustering.cluster_draft_task

    class Recorder:
        def __init__(self):
            self.runs: list[int] = []
            self.hold = False

        def get_backend(self):
            return real.get_backend()

        def using(self, **options):
            return self

        def enqueue(self, draft_id):
            self.runs.append(draft_id)
            return None if self.hold else real.enqueue(draft_id)

    recorder = Recorder()
    monkeypatch.setattr(clustering, "cluster_draft_task", recorder)
    return recorder


@pytest.mark.django_db
def test_scheduling_is_debounced_per_draft(commented_draft, django_capture_on_commit_callbacks, queued_runs):
    draft = commented_draft
    with django_capture_on_commit_callbacks(execute=True):
        schedule_clustering(draft=draft)
        schedule_clustering(draft=draft)
        assert queued_runs.runs == []  # nothing before commit

    assert queued_runs.runs == [draft.pk]  # one run for the burst
    assert _clustered(draft).exists()  # the run happened after commit
    # once it ran, the next comment may schedule again
    with django_capture_on_commit_callbacks(execute=True):
        schedule_clustering(draft=draft)
    assert queued_runs.runs == [draft.pk, draft.pk]


@pytest.mark.django_db
def test_a_pending_run_absorbs_later_transactions(article_3, django_capture_on_commit_callbacks, queued_runs):
    draft, _article = article_3
    queued_runs.hold = True  # queued, not run yet (a worker is busy)

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            schedule_clustering(draft=draft)

    assert queued_runs.runs == [draft.pk]


@pytest.mark.django_db
def test_a_rolled_back_write_does_not_hold_the_drafts_clustering_back(
    article_3, django_capture_on_commit_callbacks, queued_runs
):
    from django.db import transaction

    draft, _article = article_3
    # given: a write that asked for a run, then rolled back
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        schedule_clustering(draft=draft)
        raise RuntimeError("the approval failed")
    assert queued_runs.runs == []

    # when: the next write asks
    with django_capture_on_commit_callbacks(execute=True):
        schedule_clustering(draft=draft)

    # then: its run is queued (the rolled-back one left no pending mark)
    assert queued_runs.runs == [draft.pk]


@pytest.mark.django_db
def test_command_clusters_and_prints_a_summary(commented_draft):
    out = StringIO()
    call_command("cluster_comments", "--draft", str(commented_draft.pk), "--k", "3", "--full", stdout=out)
    lines = out.getvalue().strip().splitlines()
    result = json.loads(lines[-1])
    assert result["drafts"] == 1 and result["comments"] == 87 and result["campaigns"] == 1
    assert result["themes_created"] == _clustered(commented_draft).count() >= 2


@pytest.mark.django_db
def test_command_names_a_missing_draft():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="999999"):
        call_command("cluster_comments", "--draft", "999999", stdout=StringIO())


@pytest.mark.django_db
def test_approving_comments_queues_one_clustering_run(commented_draft, legislator, django_capture_on_commit_callbacks):
    # given: comments waiting for moderation
    from consultations.services import approve_comment

    draft = commented_draft
    waiting = [_comment(draft, text, status=CommentStatus.PUBLISHED) for text in _reviews("酒店", 3, skip=40)]

    # when: they are approved in one burst
    with django_capture_on_commit_callbacks(execute=True):
        for comment in waiting:
            approve_comment(comment=comment, moderator=legislator)

    # then: one run clustered them all, after commit
    clustered = ThemeMembership.objects.filter(theme__in=_clustered(draft)).values_list("comment_id", flat=True)
    assert {c.pk for c in waiting} <= set(clustered)


def test_a_comment_published_at_once_is_clustered_like_an_approved_one(
    commented_draft, django_capture_on_commit_callbacks
):
    # given: a clustered draft under post-moderation, where a comment is public as soon as it is made
    from consultations.models import ModerationMode
    from consultations.services import submit_comment

    draft = commented_draft
    DraftPage.objects.filter(pk=draft.pk).update(moderation=ModerationMode.POST)
    draft.refresh_from_db()
    cluster_draft(draft=draft, full=True)

    # when: members of the public comment
    with django_capture_on_commit_callbacks(execute=True):
        made = [
            submit_comment(draft=draft, author=UserFactory(), text=text, stance=Stance.SUPPORT)
            for text in _reviews("酒店", 3, skip=40)
        ]

    # then: they are published, and a run queued at commit took them into the themes
    assert {c.status for c in made} == {CommentStatus.PUBLISHED}
    clustered = ThemeMembership.objects.filter(theme__in=_clustered(draft)).values_list("comment_id", flat=True)
    assert {c.pk for c in made} <= set(clustered)


@pytest.mark.django_db
def test_a_full_run_that_another_run_overtook_plans_again(commented_draft, monkeypatch):
    # given: while a first full run computes, a second one starts and finishes (both find the same new campaign)
    import search.clustering.runs as runs

    real = runs.plan_full
    calls = []

    def overtaken(*args, **kwargs):
        plan = real(*args, **kwargs)
        calls.append(plan)
        if len(calls) == 1:
            cluster_draft(draft=commented_draft, full=True)
        return plan

    monkeypatch.setattr(runs, "plan_full", overtaken)

    # when: the first one writes
    summary = cluster_draft(draft=commented_draft, full=True)

    # then: it planned again from what the other wrote, instead of creating the campaign a second time
    assert len(calls) == 3
    assert summary.mode == "full"
    assert Campaign.objects.filter(draft=commented_draft).count() == 1
    assert (
        not Theme.objects.filter(draft=commented_draft, origin=ThemeOrigin.CLUSTER)
        .values("cluster_key")
        .annotate(n=models.Count("pk"))
        .filter(n__gt=1)
    )


@pytest.mark.django_db
def test_staff_renames_and_splits_survive_later_runs(commented_draft):
    # given: clustered themes; staff rename one and split two comments off into a manual theme
    draft = commented_draft
    cluster_draft(draft=draft, k=4, full=True)
    renamed = _clustered(draft).first()
    Theme.objects.filter(pk=renamed.pk).update(title="关于酒店服务的意见")
    moved = list(renamed.memberships.order_by("comment_id").values_list("comment_id", flat=True)[:2])
    split_off = Theme.objects.create(draft=draft, title="拆分出的主题", origin=ThemeOrigin.MANUAL)
    ThemeMembership.objects.filter(theme=renamed, comment_id__in=moved).update(theme=split_off)

    # when: new comments arrive, then a full recompute
    for text in _reviews("书籍", 3, skip=25):
        _comment(draft, text)
    cluster_draft(draft=draft)
    cluster_draft(draft=draft, k=4, full=True)

    # then: the split comments stay out of clustered themes, and the new title stays
    in_clusters = set(ThemeMembership.objects.filter(theme__in=_clustered(draft)).values_list("comment_id", flat=True))
    assert not in_clusters & set(moved)
    assert set(split_off.memberships.values_list("comment_id", flat=True)) == set(moved)
    assert Theme.objects.filter(pk=renamed.pk, title="关于酒店服务的意见").exists()


@pytest.mark.django_db
def test_a_small_draft_gets_one_theme_per_subject_and_leaves_the_rest_unclassified(article_3):
    # given: twelve comments on three subjects of the accessibility law, and one on something else
    from tests.search.test_theme_plan import TWELVE

    draft, article = article_3
    subject_of = {_comment(draft, text, provision=article).pk: subject for subject, text in TWELVE}
    stray = _comment(draft, "食品安全事关每个人，建议加强对校园周边小摊贩的检查。")

    # when
    summary = cluster_draft(draft=draft, full=True)

    # then: no theme mixes subjects; the stray comment is in none
    themes = list(_clustered(draft))
    assert summary.themes_created == len(themes) >= 3
    for theme in themes:
        members = set(theme.memberships.values_list("comment_id", flat=True))
        assert len({subject_of[pk] for pk in members}) == 1
        texts = list(Comment.objects.filter(pk__in=members).values_list("text", flat=True))
        assert any(theme.title in text for text in texts)  # a phrase of its own comments
        assert theme.auto_title == theme.title and theme.terms
        assert set(theme.representatives) <= members
        assert theme.provision_id == article.pk  # all of its comments are on article 3
    assert not stray.themes.exists()
    # and a second run changes nothing, nor does the run a new approval queues: on a small draft it
    # groups again rather than pushing the stray comment into the nearest theme
    before = _snapshot(draft)
    assert cluster_draft(draft=draft, full=True).themes_created == 0
    assert _snapshot(draft) == before
    assert cluster_draft(draft=draft).mode == "full"
    assert _snapshot(draft) == before and not stray.themes.exists()


@pytest.mark.django_db
def test_an_article_with_many_comments_gets_themes_of_its_own(commented_draft):
    # given: 60 more comments on article 3 (fruit and hotel reviews), next to the draft-wide ones
    from consultations.models import Provision

    draft = commented_draft
    article = Provision.objects.get(version=draft.current_version, kind="article", number=3)
    for text in _reviews("水果", 30, skip=25) + _reviews("酒店", 30, skip=50):
        _comment(draft, text, provision=article)

    # when
    cluster_draft(draft=draft, full=True)

    # then: themes found within article 3 hold only its comments; the others are across the draft
    on_article = [theme for theme in _clustered(draft) if theme.provision_id == article.pk]
    assert on_article
    for theme in on_article:
        provisions = set(theme.memberships.values_list("comment__provision_id", flat=True))
        assert provisions == {article.pk}
    elsewhere = ThemeMembership.objects.filter(theme__in=_clustered(draft).exclude(provision=article))
    assert not elsewhere.filter(comment__provision=article).exists()
