"""Clustering as a background job: queued from the review screen after commit, progress to the draft's managers."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django_tasks import default_task_backend

from consultations import clustering_job
from consultations.clustering import _pending_key, cluster_draft, cluster_draft_task, schedule_clustering
from consultations.models import CommentStatus, Theme, ThemeMembership
from core.events import region_groups, user_group
from tests.conftest import require
from tests.consultations.test_clustering_adapter import _comment, _reviews
from tests.consultations.test_clustering_adapter import commented_draft as commented_draft  # noqa: F401  (a fixture)

QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _enqueued(task) -> list:
    return [result for result in default_task_backend.results if result.task.name == task.name]


@pytest.mark.django_db
@override_settings(TASKS=QUEUE)
def test_the_view_queues_the_run_after_commit_and_computes_nothing_in_the_request(
    client, commented_draft, beijing_legislator, django_capture_on_commit_callbacks
):
    # given a legislator on the review screen of a draft with published comments
    draft = commented_draft
    client.force_login(beijing_legislator)
    page = client.get(reverse("consultations_admin:review", args=[draft.pk])).content.decode()
    assert 'data-testid="cluster-run"' in page and "开始归类" in page

    # when they start clustering
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("consultations_admin:cluster", args=[draft.pk]), {"full": "on"})

    # then the run is queued once the request's transaction commits, and nothing was clustered in the request
    assert response.status_code == 302
    assert len(callbacks) >= 1
    [queued] = _enqueued(clustering_job.run_clustering_job)
    assert queued.args == [draft.pk, beijing_legislator.pk, None, True]
    assert not Theme.objects.filter(draft=draft).exists()
    # and the page says the run is on its way, without script; a second press queues nothing more
    page = client.get(reverse("consultations_admin:review", args=[draft.pk])).content.decode()
    assert "归类已排队" in page and 'data-state="queued"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("consultations_admin:cluster", args=[draft.pk]), {})
    assert len(_enqueued(clustering_job.run_clustering_job)) == 1


@pytest.mark.django_db
def test_a_running_job_shows_its_last_step_on_reload(client, commented_draft, beijing_legislator):
    draft = commented_draft
    cache.set(clustering_job._state_key(draft.pk), {"draft": draft.pk, "state": "running", "stage": "features"})
    client.force_login(beijing_legislator)

    page = client.get(reverse("consultations_admin:review", args=[draft.pk])).content.decode()

    assert "正在归类… 意见已比较，正在形成主题…" in page
    assert 'data-testid="cluster-run" disabled' in page


@pytest.mark.django_db
def test_progress_goes_to_the_drafts_managers_only(commented_draft, beijing_legislator, hebei_legislator, monkeypatch):
    # given a socket layer that records what is sent
    draft = commented_draft
    sent = []
    monkeypatch.setattr(
        clustering_job, "publish_event", lambda group, kind, payload: sent.append((group, kind, payload))
    )

    # when the job runs
    summary = clustering_job.run_clustering_job.call(draft.pk, beijing_legislator.pk)

    # then each step went to the draft's region (and the person who started it), the last one with the outcome
    assert summary["mode"] == "full" and Theme.objects.filter(draft=draft).exists()
    assert {group for group, _kind, _payload in sent} == {
        *region_groups(draft.jurisdiction_id),
        user_group(beijing_legislator.pk),
    }
    assert {kind for _group, kind, _payload in sent} == {clustering_job.PROGRESS}
    states = [payload["state"] for _group, _kind, payload in sent]
    assert states[0] == "running" and states[-1] == "done"
    assert len({payload.get("stage") for _group, _kind, payload in sent}) >= 4  # several steps, not just the end
    # …in the order they happen: the page never goes back to an earlier step
    order = list(clustering_job.STAGES)
    steps = [order.index(payload["stage"]) for _group, _kind, payload in sent if payload.get("stage")]
    assert steps == sorted(steps), " → ".join(order[n] for n in steps)
    assert clustering_job.run_state(draft.pk)["state"] == "done"
    # and the guard lets the draft's legislators read it, not those of another region
    last = sent[-1][2]
    assert clustering_job.may_see_progress(beijing_legislator, clustering_job.PROGRESS, last)
    assert not clustering_job.may_see_progress(hebei_legislator, clustering_job.PROGRESS, last)
    assert "归类完成" in clustering_job.describe_progress(clustering_job.PROGRESS, last).text


@pytest.mark.django_db
def test_published_and_approved_comments_are_clustered_pending_and_rejected_are_not(commented_draft):
    # given a draft whose comments are approved, published under post-moderation, pending or rejected
    draft = commented_draft
    published = [_comment(draft, text, status=CommentStatus.PUBLISHED) for text in _reviews("酒店", 10, skip=40)]
    pending = [_comment(draft, text, status=CommentStatus.PENDING) for text in _reviews("酒店", 5, skip=60)]
    rejected = list(draft.comments.filter(status=CommentStatus.REJECTED))

    # when clustered
    cluster_draft(draft=draft, full=True)

    # then the published comments are in themes like the approved ones; the others are not
    clustered = set(ThemeMembership.objects.filter(theme__draft=draft).values_list("comment_id", flat=True))
    assert len({c.pk for c in published} & clustered) >= 8
    assert not {c.pk for c in pending + rejected} & clustered


@pytest.mark.django_db
def test_too_few_published_comments_are_not_refused_for_want_of_approval(article_3):
    # given only post-moderated comments, none approved by hand
    draft, _article = article_3
    for text in _reviews("书籍", 8):
        _comment(draft, text, status=CommentStatus.PUBLISHED)

    # when clustered, then it runs
    assert cluster_draft(draft=draft).mode == "full"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=QUEUE)
def test_a_rolled_back_write_leaves_no_pending_mark_and_the_next_one_queues(article_3):
    draft, _article = article_3

    # when a write that schedules clustering rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        schedule_clustering(draft=draft)
        raise RuntimeError("rolled back")

    # then nothing is pending and nothing was queued
    assert cache.get(_pending_key(draft.pk)) is None
    assert _enqueued(cluster_draft_task) == []

    # and the next write that commits queues its run, once
    with transaction.atomic():
        schedule_clustering(draft=draft)
        schedule_clustering(draft=draft)
        assert cache.get(_pending_key(draft.pk)) is None  # not before commit
    assert cache.get(_pending_key(draft.pk)) is True
    assert len(_enqueued(cluster_draft_task)) == 1


@pytest.mark.django_db
@override_settings(TASKS=QUEUE)
def test_on_a_queue_that_can_wait_the_run_starts_half_a_minute_later(article_3, django_capture_on_commit_callbacks):
    # a stream of submissions then makes one run every half minute, not one after another
    from django.utils import timezone

    from consultations.clustering import RUN_DELAY

    draft, _article = article_3
    with django_capture_on_commit_callbacks(execute=True):
        schedule_clustering(draft=draft)
    [result] = _enqueued(cluster_draft_task)
    assert result.task.run_after is not None
    assert RUN_DELAY * 0.9 < result.task.run_after - timezone.now() <= RUN_DELAY


def test_a_skipped_run_says_why():
    few = {"draft": 1, "state": "skipped", "summary": {"comments": 3}}
    final = {"draft": 1, "state": "skipped", "summary": {"comments": 300}}

    assert "至少需要 5 条" in clustering_job.progress_text(few)
    assert "处理情况报告已公布" in clustering_job.progress_text(final)


@pytest.mark.django_db(transaction=True)
def test_a_run_writing_under_the_drafts_lock_does_not_hold_back_a_new_comment(article_3):
    # PostgreSQL only: SQLite locks the whole database for any write
    import threading

    from django.db import connection

    from consultations.clustering import _lock

    require(connection.vendor == "postgresql", "row locks are PostgreSQL's")
    draft, _article = article_3
    locked, release = threading.Event(), threading.Event()

    def run_holding_the_lock():
        from django.db import connection as own

        try:
            with transaction.atomic():
                _lock(draft)
                locked.set()
                release.wait(10)
        finally:
            own.close()

    writer = threading.Thread(target=run_holding_the_lock)
    writer.start()
    try:
        assert locked.wait(10)
        # when a comment is submitted while the run holds the draft's lock
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            comment = _comment(draft, "运行归类时提交的意见，不应等待。", status=CommentStatus.PENDING)
        # then it is saved at once
        assert comment.pk
    finally:
        release.set()
        writer.join()
