"""A full rebuild at scale: documents built in batches (a few queries a batch, none per document), written in
bulk, progress shown; it writes what incremental indexing writes, on either database, and Elasticsearch gets
bulk requests of the configured size, several in flight."""

from __future__ import annotations

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from consultations.models import Comment, Stance, Theme, ThemeMembership
from consultations.services import submit_comment
from regions.models import Region
from search import documents as search_documents
from search import indexing
from search.backends import get_backend
from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend, SunshineDocument, source
from search.documents import get
from search.indexing import read_ahead, rebuild
from search.models import SearchEntry
from search.query import SearchQuery
from tests.factories import UserFactory
from tests.search.test_backend_contract import CORPUS, doc

DATABASE = {"BACKEND": "search.backends.database.DatabaseBackend", "URL": None, "INDEX_PREFIX": "sunshine"}
QUERIES = [
    SearchQuery(text="物业", facets=("stance", "provision", "theme", "status", "region")),
    SearchQuery(text="维修资金 公开", filters={"public": True}),
    SearchQuery(filters={"region": "110000"}, facets=("region",)),
    SearchQuery(filters={"status": "pending"}),
    SearchQuery(doc_types=("article", "comment"), text="业主", facets=("doc_type",)),
]


def bulk_comments(draft, count: int, *, text: str = "关于物业维修资金的意见") -> list[Comment]:
    """Comments written in bulk (no signals: only a rebuild indexes them)."""
    return Comment.objects.bulk_create(
        Comment(draft=draft, text=f"{text}{n}", text_hash=f"h{n}", stance="support", status="approved")
        for n in range(count)
    )


def snapshot() -> list[tuple]:
    """Every index row with its facets, without the entries' own ids."""
    return sorted(
        (
            entry.doc_type,
            entry.object_id,
            entry.title,
            entry.text,
            entry.analyzed,
            entry.url,
            entry.created,
            entry.public,
            entry.region,
            tuple(sorted(entry.facets.values_list("field", "value"))),
        )
        for entry in SearchEntry.objects.prefetch_related("facets")
    )


def answers() -> list[tuple]:
    backend = get_backend()
    return [
        (results.total, [hit.pk for hit in results.hits], results.facets)
        for results in (backend.search(query) for query in QUERIES)
    ]


@override_settings(SEARCH_BACKEND=DATABASE)
def test_rebuild_index_shows_its_progress(make_draft, monkeypatch):
    # given five comments, and batches of two
    bulk_comments(make_draft(), 5)
    monkeypatch.setattr(search_documents, "BATCH_SIZE", 2)
    out = io.StringIO()

    # when the comments are rebuilt, every batch shown
    call_command("rebuild_index", "--type", "comment", verbosity=2, stdout=out)

    # then each batch is shown as it is done, with the share and the rate, then the summary
    lines = out.getvalue().splitlines()
    progress = [line.split("documents")[0].strip() for line in lines if "documents (" in line]
    assert progress == ["comment: 2 / 5", "comment: 4 / 5", "comment: 5 / 5"]
    assert "(40%)" in lines[1] and "/s" in lines[1] and "s left" in lines[1]
    assert "(100%)" in lines[3]
    assert lines[-1].startswith("5 documents indexed in")


@override_settings(SEARCH_BACKEND=DATABASE)
def test_without_verbosity_progress_is_shown_at_least_at_the_end(make_draft):
    bulk_comments(make_draft(), 3)
    out = io.StringIO()

    call_command("rebuild_index", "--type", "comment", stdout=out)

    assert "comment: 3 / 3 documents (100%)" in out.getvalue()


@override_settings(SEARCH_BACKEND=DATABASE)
def test_a_rebuild_writes_what_incremental_indexing_wrote(make_draft, django_capture_on_commit_callbacks):
    # given comments indexed one by one as they arrive (the outbox, after each commit): on an article, with a
    # region, in a theme, one waiting for moderation (not public), and a draft with its articles
    draft = make_draft()
    moderated = make_draft(moderation="pre")
    article = draft.current_version.provisions.get(kind="article", number=3)
    texts = [
        ("物业服务收费标准应当公开，接受业主监督。", draft, article, "110105"),
        ("建议明确物业维修资金的使用程序和公开方式。", draft, None, "130626"),
        ("业主大会的召开应当提前十五日通知全体业主。", draft, article, None),
        ("物业公司不得擅自提高收费标准。", moderated, None, "110000"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rebuild_index", "--type", "article", stdout=io.StringIO())
    comments = []
    for text, on, provision, region in texts:
        with django_capture_on_commit_callbacks(execute=True):
            comments.append(
                submit_comment(
                    draft=on,
                    author=UserFactory(),
                    text=text,
                    stance=Stance.SUPPORT,
                    provision=provision,
                    region=Region.objects.get(code=region) if region else None,
                )
            )
    with django_capture_on_commit_callbacks(execute=True):
        theme = Theme.objects.create(draft=draft, title="收费")
        ThemeMembership.objects.create(theme=theme, comment=comments[0])
        ThemeMembership.objects.create(theme=theme, comment=comments[1])
    incremental, incremental_answers = snapshot(), answers()
    assert sum(row[0] == "comment" for row in incremental) == len(texts)
    assert {row[6] for row in incremental if row[0] == "comment"} == {comment.created_at for comment in comments}
    assert sum(row[0] == "article" for row in incremental) > 0
    assert incremental_answers[0][0] == 3 and incremental_answers[3][1] == [comments[3].pk]

    # when the index is rebuilt in batches
    written = rebuild(["article", "comment"])

    # then it holds the same rows and answers the same
    assert written == len(incremental)
    assert snapshot() == incremental
    assert answers() == incremental_answers


def test_documents_are_built_with_the_same_queries_for_few_and_many_comments(make_draft):
    draft = make_draft()
    theme = Theme.objects.create(draft=draft, title="收费")

    def queries_for(count: int) -> int:
        Comment.objects.filter(draft=draft).delete()
        comments = bulk_comments(draft, count)
        ThemeMembership.objects.bulk_create(ThemeMembership(theme=theme, comment=c) for c in comments[::2])
        with CaptureQueriesContext(connection) as queries:
            built = [document for batch in get("comment").document_batches() for document in batch]
        assert len(built) == count
        assert [d.keywords["theme"] for d in built if d.keywords["theme"]] == [[str(theme.pk)]] * len(comments[::2])
        return len(queries)

    queries_for(1)  # the site's root paths, read once per process for the drafts' addresses
    assert queries_for(3) == queries_for(300)


def test_read_ahead_builds_in_a_thread_of_its_own_and_hands_over_its_errors():
    # batches built by another thread (as outside a transaction on PostgreSQL), in order
    built_by = []

    def batches():
        for n in range(5):
            built_by.append(threading.current_thread().name)
            yield [n]

    with read_ahead(batches(), threaded=True) as ready:
        assert list(ready) == [[0], [1], [2], [3], [4]]
    assert set(built_by) == {"search-read-ahead"}

    def failing():
        yield [1]
        raise ValueError("the database went away")

    with pytest.raises(ValueError, match="went away"), read_ahead(failing(), threaded=True) as ready:
        list(ready)


@pytest.mark.django_db(transaction=True)
@override_settings(SEARCH_BACKEND=DATABASE)
def test_a_full_rebuild_outside_a_transaction_leaves_the_index_whole(make_draft):
    # given committed comments: the command's own path (reading ahead in a thread; the vendor's bulk load)
    draft = make_draft()
    bulk_comments(draft, 7, text="公共维修资金")
    out = io.StringIO()

    call_command("rebuild_index", stdout=out)

    # then they are found, and a change after it is indexed as usual (SQLite's triggers are back)
    backend = get_backend()
    assert backend.search(SearchQuery(text="维修资金")).total == 7
    backend.index([doc("comment", 10**6, "电梯加装的费用分摊", draft=draft.pk)])
    assert [hit.pk for hit in backend.search(SearchQuery(text="电梯加装")).hits] == [10**6]
    assert "comment: 7 / 7 documents (100%)" in out.getvalue()


# --- Elasticsearch: what is sent -----------------------------------------------------------------


class Recorder:
    """The requests a backend's client sends (through its transport, which `options()` copies share), with
    how many were in flight at once; each request is held a little so that overlaps show."""

    def __init__(self, backend: ElasticsearchBackend, hold: float = 0.05):
        self.requests: list[tuple[str, str, object]] = []
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        transport = backend.client.transport
        real = transport.perform_request

        def perform_request(method, target, **kwargs):
            with self.lock:
                self.requests.append((method, target, kwargs.get("body")))
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                if is_bulk(target):
                    time.sleep(hold)
                return real(method, target, **kwargs)
            finally:
                with self.lock:
                    self.in_flight -= 1

        transport.perform_request = perform_request

    def bulks(self) -> list[tuple[int, int]]:
        """Each bulk request as (documents, bytes of its NDJSON body)."""
        sizes = []
        for _method, target, body in self.requests:
            if is_bulk(target):
                lines = [line if isinstance(line, bytes) else str(line).encode() for line in body]
                sizes.append((len(lines) // 2, sum(len(line) + 1 for line in lines)))
        return sizes


def is_bulk(target: str) -> bool:
    return target.split("?")[0].endswith("/_bulk")


def sized(search_server, prefix: str, **options) -> ElasticsearchBackend:
    return ElasticsearchBackend(url=search_server.url, index_prefix=prefix, refresh=True, **options)


def many(count: int) -> list:
    return [doc("comment", n, f"第{n}条意见：建议公开物业维修资金的使用情况。", draft=1) for n in range(1, count + 1)]


def test_a_rebuild_sends_bulk_requests_of_the_configured_size_several_at_once(search_server):
    # given a backend sized for a small cluster: 3 documents or 1,500 bytes a request, 2 in flight
    backend = sized(search_server, "bulk-rebuild", bulk_documents=3, bulk_bytes=1500, bulk_threads=2, replicas=0)
    recorder = Recorder(backend)

    # when 20 documents are rebuilt
    written = backend.rebuild(many(20), ["comment"])

    # then every request keeps to both limits, two were in flight at once, and nothing was lost
    bulks = recorder.bulks()
    assert written == 20 and sum(documents for documents, _ in bulks) == 20
    assert all(documents <= 3 and size <= 1500 for documents, size in bulks)
    assert len(bulks) >= 7
    assert recorder.most_in_flight == 2
    # the new index fills without refreshing, then is set to refresh and to its replicas before the swap
    created = next(body for method, target, body in recorder.requests if method == "PUT" and "settings" in (body or {}))
    assert created["settings"]["refresh_interval"] == "-1"
    reset = next(body for method, target, body in recorder.requests if target.split("?")[0].endswith("/_settings"))
    assert reset == {"index": {"refresh_interval": None, "number_of_replicas": 0}}
    assert backend.count("comment") == 20


def test_bytes_bound_a_request_as_well_as_documents(search_server):
    backend = sized(search_server, "bulk-bytes", bulk_documents=100, bulk_bytes=1200, bulk_threads=1)
    recorder = Recorder(backend, hold=0)

    backend.rebuild(many(12), ["comment"])

    bulks = recorder.bulks()
    assert all(size <= 1200 for _, size in bulks)
    assert len(bulks) > 1  # 12 documents fit the count, not the bytes
    assert recorder.most_in_flight == 1


def test_incremental_indexing_sends_bulk_requests_of_the_configured_size(search_server):
    backend = sized(search_server, "bulk-index", bulk_documents=3)
    recorder = Recorder(backend, hold=0)

    assert backend.index(many(7)) == 7

    assert [documents for documents, _ in recorder.bulks()] == [3, 3, 1]


def test_the_source_sent_is_the_mapping_documents_own():
    for document in CORPUS:
        assert source(document) == SunshineDocument.from_search_document(document).to_dict()


@override_settings(SEARCH_BACKEND=DATABASE)
def test_a_change_reaching_every_comment_of_a_draft_is_indexed_batch_by_batch(
    make_draft, monkeypatch, django_capture_on_commit_callbacks
):
    # given a draft with five comments, and batches of two
    draft = make_draft()
    bulk_comments(draft, 5, text="关于电梯加装的意见")
    monkeypatch.setattr(indexing, "BATCH_SIZE", 2)
    written = []
    real = DatabaseBackend.index
    monkeypatch.setattr(
        DatabaseBackend, "index", lambda self, docs: written.append(len(docs := list(docs))) or real(self, docs)
    )

    # when the draft's title changes (a change every comment's document shows)
    with django_capture_on_commit_callbacks(execute=True):
        draft.title = "电梯管理条例（草案）"
        draft.save_revision().publish()

    # then its comments were indexed two at a time (besides its articles), each with the new title
    assert [n for n in written if n <= 2][-3:] == [2, 2, 1]
    hits = get_backend().search(SearchQuery(text="电梯加装")).hits
    assert len(hits) == 5 and {hit.title for hit in hits} == {"电梯管理条例（草案）"}
