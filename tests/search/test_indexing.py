"""Reliable indexing: the outbox row is written with the comment, processed after commit, kept while
the search server is down, and drained when it returns; nothing is lost or indexed twice."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from consultations.models import Comment, Stance, Theme, ThemeMembership
from consultations.services import submit_comment
from search.backends import get_backend
from search.models import IndexOutbox
from search.query import SearchQuery
from tests.factories import UserFactory

DATABASE = {"BACKEND": "search.backends.database.DatabaseBackend", "URL": None, "INDEX_PREFIX": "sunshine"}


def elasticsearch_settings(url: str, prefix: str) -> dict:
    return {
        "BACKEND": "search.backends.elasticsearch.ElasticsearchBackend",
        "URL": url,
        "INDEX_PREFIX": prefix,
        "OPTIONS": {"refresh": True, "timeout": 2},
    }


def comment_on(draft, text: str, *, author=None, provision=None) -> Comment:
    return submit_comment(
        draft=draft, author=author or UserFactory(), text=text, stance=Stance.SUPPORT, provision=provision
    )


def found(text: str, **filters) -> list[int]:
    results = get_backend().search(SearchQuery(text=text, filters=filters, limit=100))
    return sorted(hit.pk for hit in results.hits)


@override_settings(SEARCH_BACKEND=DATABASE)
def test_the_outbox_row_is_written_with_the_comment_and_indexed_after_commit(
    make_draft, django_capture_on_commit_callbacks
):
    draft = make_draft()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            comment = comment_on(draft, "建议物业服务收费标准向业主公开，接受业主监督。")
            # then: in the same transaction as the comment, before commit
            assert IndexOutbox.objects.filter(doc_type="comment", object_id=comment.pk).exists()
        assert found("收费标准") == []
    for callback in callbacks:
        callback()

    assert found("收费标准") == [comment.pk]
    assert not IndexOutbox.objects.exists()


@override_settings(SEARCH_BACKEND=DATABASE)
def test_theme_changes_and_unpublishing_reach_the_index(make_draft, django_capture_on_commit_callbacks):
    draft = make_draft()
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_on(draft, "物业服务合同应当明确服务标准和收费项目。")
        theme = Theme.objects.create(draft=draft, title="收费")
        ThemeMembership.objects.create(theme=theme, comment=comment)
    assert found("收费项目", theme=theme.pk) == [comment.pk]
    assert found("收费项目", public=True) == [comment.pk]

    with django_capture_on_commit_callbacks(execute=True):
        draft.unpublish()

    assert found("收费项目", public=True) == []
    assert found("收费项目") == [comment.pk]  # still there for staff


def test_comments_are_accepted_while_the_search_server_is_down_and_indexed_when_it_returns(
    make_draft, django_capture_on_commit_callbacks, search_server
):
    # given a stream of comments on a draft, indexed through Elasticsearch
    draft = make_draft()
    settings = elasticsearch_settings(search_server.url, "outage")
    accepted = []
    with override_settings(SEARCH_BACKEND=settings):
        for number in range(60):
            if number == 20:
                search_server.stop()  # the search server goes down mid-stream
            if number == 40:
                search_server.start()  # and comes back
            with django_capture_on_commit_callbacks(execute=True):
                accepted.append(comment_on(draft, f"第{number}条意见：建议明确物业维修资金的使用程序和公开方式。"))
            if number == 39:
                # then: every comment was accepted and none is lost; the outage is in the outbox
                assert Comment.objects.filter(draft=draft).count() == 40
                assert IndexOutbox.objects.count() == 20
                assert IndexOutbox.objects.filter(attempts__gte=1).exclude(last_error="").count() == 20

        # when the pending changes are processed
        out = io.StringIO()
        call_command("index_pending", stdout=out)

        # then every comment is indexed exactly once
        assert "0 still waiting" in out.getvalue()
        assert not IndexOutbox.objects.exists()
        assert get_backend().count("comment") == 60
        results = get_backend().search(SearchQuery(text="维修资金", limit=100))
        assert results.total == 60
        assert sorted(hit.pk for hit in results.hits) == sorted(comment.pk for comment in accepted)


def test_index_pending_fails_clearly_when_the_server_is_unreachable(make_draft, django_capture_on_commit_callbacks):
    draft = make_draft()
    with override_settings(SEARCH_BACKEND=elasticsearch_settings("http://127.0.0.1:9", "down")):
        with django_capture_on_commit_callbacks(execute=True):
            comment = comment_on(draft, "建议增加业主大会的召开频次。")

        with pytest.raises(Exception, match="still waiting; search server unavailable"):
            call_command("index_pending", stdout=io.StringIO())

    assert Comment.objects.filter(pk=comment.pk).exists()
    row = IndexOutbox.objects.get(doc_type="comment", object_id=comment.pk)
    assert row.attempts == 2  # after commit, then by the command
    assert "unreachable" in row.last_error


@override_settings(SEARCH_BACKEND=DATABASE)
def test_rebuild_index_indexes_what_is_in_the_database(make_draft):
    draft = make_draft()
    Comment.objects.bulk_create(  # bulk writes send no signals: only a rebuild indexes them
        [
            Comment(draft=draft, text=f"关于停车位的意见{i}", text_hash=f"h{i}", stance="support", status="published")
            for i in range(3)
        ]
    )
    out = io.StringIO()

    call_command("rebuild_index", stdout=out)

    assert "comment 3" in out.getvalue()
    assert "article 4" in out.getvalue()  # the draft's four articles
    assert len(found("停车位")) == 3


@override_settings(SEARCH_BACKEND=DATABASE)
def test_writes_that_send_no_signals_still_reach_the_index(make_draft, django_capture_on_commit_callbacks, legislator):
    from consultations.services import import_version, split_theme
    from tests.consultations.conftest import SAMPLE

    draft = make_draft()
    with django_capture_on_commit_callbacks(execute=True):
        first = comment_on(draft, "建议明确物业服务合同的备案程序。")
        second = comment_on(draft, "建议明确业主大会的表决程序。")
        theme = Theme.objects.create(draft=draft, title="程序")
        ThemeMembership.objects.bulk_create([ThemeMembership(theme=theme, comment=c) for c in (first, second)])
    assert found("程序", theme=theme.pk) == sorted([first.pk, second.pk])  # indexed after commit, as they are then

    with django_capture_on_commit_callbacks(execute=True):
        new = split_theme(theme=theme, comments=[second], title="表决", user=legislator)
    assert found("程序", theme=new.pk) == [second.pk]

    # a new version replaces the old version's articles in the index
    from search.indexing import process_outbox

    process_outbox()
    assert get_backend().search(SearchQuery(text="管理规约", doc_types=("article",))).total == 1
    with django_capture_on_commit_callbacks(execute=True):
        import_version(draft=draft, label="二审稿", text=SAMPLE.replace("管理规约", "管理规约和业主大会决定"))
    results = get_backend().search(SearchQuery(text="管理规约", doc_types=("article",)))
    assert results.total == 1
    assert "业主大会决定" in str(results.hits[0].highlight)


@override_settings(SEARCH_BACKEND=DATABASE)
def test_changes_wait_while_a_rebuild_runs_and_are_indexed_after_it(make_draft, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from search.indexing import REBUILDING, process_outbox, rebuild

    draft = make_draft()
    cache.set(REBUILDING, True)
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_on(draft, "建议公开电梯维保记录。")
    assert process_outbox().error.startswith("a rebuild is running")
    assert IndexOutbox.objects.filter(doc_type="comment", object_id=comment.pk).exists()
    cache.delete(REBUILDING)

    rebuild(["petition"])  # a rebuild of another type ends by processing what waited

    assert found("维保") == [comment.pk]


@override_settings(SEARCH_BACKEND=DATABASE)
def test_saving_a_revision_does_not_reindex_the_draft(make_draft):
    draft = make_draft()
    IndexOutbox.objects.all().delete()

    draft.summary = "改了摘要"
    draft.save_revision()

    assert not IndexOutbox.objects.filter(doc_type="draft").exists()


@override_settings(SEARCH_BACKEND=DATABASE)
def test_a_draft_behind_a_view_restriction_is_not_public(make_draft, django_capture_on_commit_callbacks):
    from wagtail.models import PageViewRestriction

    draft = make_draft()
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_on(draft, "建议公开物业费的收支明细。")
    assert found("收支明细", public=True) == [comment.pk]

    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=draft, restriction_type=PageViewRestriction.PASSWORD, password="s3cret-draft"
        )
    assert found("收支明细", public=True) == []
    assert (
        get_backend().search(SearchQuery(text="管理规约", doc_types=("article",), filters={"public": True})).total == 0
    )

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert found("收支明细", public=True) == [comment.pk]


@pytest.fixture
def outbox_runs(monkeypatch):
    """Counts the runs of the outbox that are queued (each still runs)."""
    from search import indexing

    real = indexing.process_search_outbox
    runs = []

    class Counting:
        def enqueue(self):
            runs.append(real.enqueue())

    monkeypatch.setattr(indexing, "process_search_outbox", Counting())
    return runs


@override_settings(SEARCH_BACKEND=DATABASE)
def test_one_run_per_transaction_drains_every_row_written_in_it(
    make_draft, django_capture_on_commit_callbacks, outbox_runs
):
    draft = make_draft()
    IndexOutbox.objects.all().delete()

    # when: one transaction calls two services (each atomic: a savepoint of its own) and writes a theme
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = comment_on(draft, "建议公开小区公共收益的分配方案。")
        second = comment_on(draft, "建议公共收益优先用于电梯更新。")
        theme = Theme.objects.create(draft=draft, title="公共收益")
        ThemeMembership.objects.create(theme=theme, comment=first)
        assert outbox_runs == []  # nothing before commit

    # then: one run, and it indexed every change
    assert len(outbox_runs) == 1
    assert found("公共收益") == sorted([first.pk, second.pk])
    assert found("公共收益", theme=theme.pk) == [first.pk]
    assert not IndexOutbox.objects.exists()


@override_settings(SEARCH_BACKEND=DATABASE)
def test_a_rolled_back_write_neither_loses_nor_repeats_the_run(
    make_draft, django_capture_on_commit_callbacks, outbox_runs
):
    draft = make_draft()

    # given: a transaction whose first write is rolled back (savepoint) and a later one kept
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            comment_on(draft, "这条意见随保存点回滚。")
            raise RuntimeError("rolled back")
        kept = comment_on(draft, "建议公开维修资金的使用明细。")
    assert len(outbox_runs) == 1
    assert found("维修资金") == [kept.pk]

    # and: a transaction that rolls back entirely does not stop the next one from being indexed
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        comment_on(draft, "整个事务回滚的意见。")
        raise RuntimeError("rolled back")
    with django_capture_on_commit_callbacks(execute=True):
        later = comment_on(draft, "建议公开物业费调价的依据。")
    assert len(outbox_runs) == 2
    assert found("调价") == [later.pk]
    assert not IndexOutbox.objects.exists()
