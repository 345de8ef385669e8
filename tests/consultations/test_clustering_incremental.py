"""An incremental clustering run touches only the new comments (#13): it reads them and the few earlier
comments the campaign index says they may copy, and writes rows for them only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.clustering import cluster_draft
from consultations.models import Campaign, Comment, CommentStatus, ThemeMembership
from search.models import CampaignIndexSegment, ClusteringState, IndexOutbox
from tests.consultations.test_clustering_adapter import FORM_LETTER, _comment, _reviews
from tests.consultations.test_clustering_adapter import commented_draft as commented_draft  # noqa: F401  (a fixture)


def _state_of_old_rows(draft, old: set[int]):
    comments = {
        pk: (campaign, addition)
        for pk, campaign, addition in Comment.objects.filter(pk__in=old).values_list(
            "pk", "campaign_id", "campaign_addition"
        )
    }
    memberships = set(
        ThemeMembership.objects.filter(theme__draft=draft).values_list("pk", "theme_id", "comment_id", "similarity")
    )
    return comments, memberships


@pytest.mark.django_db
def test_an_incremental_run_reads_and_writes_only_the_new_comments(commented_draft, monkeypatch):
    # given: a clustered draft, with what the next run starts from kept
    draft = commented_draft
    cluster_draft(draft=draft, full=True)
    old = set(Comment.objects.filter(draft=draft).values_list("pk", flat=True))
    comments_before, memberships_before = _state_of_old_rows(draft, old)
    campaign = Campaign.objects.get(draft=draft)
    assert ClusteringState.objects.filter(scope=f"consultations.draft:{draft.pk}").exists()
    IndexOutbox.objects.all().delete()

    # when: four comments arrive (one more signer of the campaign), and the run a new approval queues runs,
    # where finding campaigns or fitting features over the whole draft again would fail
    new = [_comment(draft, text) for text in _reviews("书籍", 3, skip=30)]
    new.append(_comment(draft, FORM_LETTER + "我家有老人，希望尽快修改。"))
    new_ids = {comment.pk for comment in new}
    IndexOutbox.objects.all().delete()  # the comments' own saves; what follows is the run's
    from search.clustering import runs

    def never(*args, **kwargs):
        raise AssertionError("an incremental run went over the whole draft")

    monkeypatch.setattr(runs, "find_campaigns", never)
    monkeypatch.setattr(runs, "fit_features", never)
    with CaptureQueriesContext(connection) as queries:
        summary = cluster_draft(draft=draft)

    # then: it read the new comments and a few copies of the letter, never every comment's text
    assert summary.mode == "incremental"
    assert summary.read <= len(new_ids) + 12 < len(old)
    text_reads = [q["sql"] for q in queries.captured_queries if '"consultations_comment"."text"' in q["sql"]]
    assert text_reads and all(" IN (" in sql for sql in text_reads)
    # rows written: one membership per new comment placed, no earlier comment's row or membership changed
    comments_after, memberships_after = _state_of_old_rows(draft, old)
    assert comments_after == comments_before
    assert memberships_before <= memberships_after
    added = memberships_after - memberships_before
    assert {comment_id for _pk, _theme, comment_id, _similarity in added} <= new_ids
    assert len(added) == summary.assigned and summary.assigned + summary.waiting == len(new_ids)
    # the signer joined the campaign; only the new comments that joined a theme are re-indexed, in bulk
    signer = Comment.objects.get(pk=new[-1].pk)
    assert signer.campaign_id == campaign.pk and Campaign.objects.get(pk=campaign.pk).size == campaign.size + 1
    assert set(IndexOutbox.objects.values_list("object_id", flat=True)) == {c for _p, _t, c, _s in added}
    # and the index grew by a segment holding the new comments only
    last = CampaignIndexSegment.objects.filter(state__scope=f"consultations.draft:{draft.pk}").order_by("pk").last()
    assert last.comments == len(new_ids)


@pytest.mark.django_db
def test_a_run_with_nothing_new_writes_nothing(commented_draft):
    draft = commented_draft
    cluster_draft(draft=draft, full=True)
    IndexOutbox.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        summary = cluster_draft(draft=draft)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert summary.mode == "incremental" and summary.read == 0 and writes == []


@pytest.mark.django_db
def test_a_full_run_again_rewrites_only_what_moved(commented_draft):
    # given: a clustered draft
    draft = commented_draft
    cluster_draft(draft=draft, k=4, full=True)
    IndexOutbox.objects.all().delete()
    before = set(ThemeMembership.objects.filter(theme__draft=draft).values_list("pk", "theme_id", "comment_id"))

    # when: a full run again on the same comments
    cluster_draft(draft=draft, k=4, full=True)

    # then: the same membership rows (not deleted and written again), and nothing re-indexed
    after = set(ThemeMembership.objects.filter(theme__draft=draft).values_list("pk", "theme_id", "comment_id"))
    assert after == before
    assert not IndexOutbox.objects.exists()


@pytest.mark.django_db
def test_a_comment_rejected_after_clustering_is_not_read_as_a_copy(commented_draft):
    # given: a clustered draft whose campaign letter copies are then rejected but one
    draft = commented_draft
    cluster_draft(draft=draft, full=True)
    copies = list(Comment.objects.filter(draft=draft, text__startswith=FORM_LETTER).order_by("pk"))
    Comment.objects.filter(pk__in=[c.pk for c in copies[1:]]).update(status=CommentStatus.REJECTED)

    # when: a new copy arrives
    signer = _comment(draft, FORM_LETTER)
    cluster_draft(draft=draft)

    # then: it joins the campaign through the one still published
    signer.refresh_from_db()
    assert signer.campaign_id == copies[0].campaign_id is not None
