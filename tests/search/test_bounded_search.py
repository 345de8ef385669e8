"""The database backend ranks a bounded set of matches, and says when the totals and facets are estimates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from search.backends import bounded
from search.documents import SearchDocument
from search.query import SearchQuery


def _comment(pk: int, *, day: int, stance: str) -> SearchDocument:
    return SearchDocument(
        doc_type="comment",
        pk=pk,
        title="",
        text=f"行政复议申请期限应当延长，第{pk}条意见。",
        url=f"/c/{pk}/",
        created=datetime(2026, 3, day, 9, tzinfo=UTC),
        public=True,
        keywords={"draft": ["1"], "stance": [stance], "status": ["published"]},
    )


@pytest.fixture
def twelve(db):
    from search.backends.database import DatabaseBackend

    backend = DatabaseBackend()
    backend.index([_comment(pk, day=pk, stance="oppose" if pk % 3 else "support") for pk in range(1, 13)])
    return backend


def test_a_word_matching_more_than_the_candidates_ranks_only_the_most_recent(twelve, monkeypatch):
    # given a backend that ranks at most five matches
    monkeypatch.setattr(bounded, "CANDIDATES", 5)

    # when a word found in all twelve is searched
    results = twelve.search(SearchQuery(text="行政复议", filters={"draft": 1}, facets=("stance",)))

    # then the five most recent are ranked, and the total and facets still cover all twelve
    assert sorted(hit.pk for hit in results.hits) == [8, 9, 10, 11, 12]
    assert results.ranked == 5
    if results.estimated:  # PostgreSQL: from a sample, never fewer than what was seen
        assert results.total > 5
    else:
        assert results.total == 12
        assert dict(results.facets["stance"]) == {"oppose": 8, "support": 4}


def test_past_the_candidates_the_total_and_facets_are_estimated_from_the_sample(twelve, monkeypatch):
    # given a sample that saw comments 1 to 4 out of a quarter of the index
    monkeypatch.setattr(bounded, "CANDIDATES", 5)
    monkeypatch.setattr(bounded, "_sample", lambda matching: (sorted(matching.values_list("pk", flat=True))[:4], 0.25))

    results = twelve.search(SearchQuery(text="行政复议", facets=("stance",)))

    # then the total and the counts are scaled from it, and marked as estimates
    assert results.estimated and results.ranked == 5
    assert results.total == 16
    assert dict(results.facets["stance"]) == {"oppose": 12, "support": 4}


def test_a_facet_value_the_sample_missed_still_counts_what_the_candidates_hold(twelve, monkeypatch):
    # given a sample that saw only comment 1 (oppose), while the five candidates hold two supports
    monkeypatch.setattr(bounded, "CANDIDATES", 5)
    # (entries are named by their object's id: PostgreSQL's sequences keep counting across rolled-back tests)
    monkeypatch.setattr(
        bounded, "_sample", lambda matching: (list(matching.filter(object_id=1).values_list("pk", flat=True)), 0.25)
    )

    results = twelve.search(SearchQuery(text="行政复议", facets=("stance",)))

    # then support is not lost: at least as many as the candidates show
    assert results.estimated
    assert dict(results.facets["stance"]) == {"oppose": 4, "support": 2}


def test_up_to_the_candidates_everything_is_exact(twelve):
    results = twelve.search(SearchQuery(text="行政复议", facets=("stance",)))

    assert not results.estimated and results.ranked is None
    assert results.total == 12 and len(results.hits) == 12
    assert dict(results.facets["stance"]) == {"oppose": 8, "support": 4}


def test_without_words_the_pages_go_on_past_the_candidates(twelve, monkeypatch):
    monkeypatch.setattr(bounded, "CANDIDATES", 5)

    page = twelve.search(SearchQuery(filters={"draft": 1}, offset=6, limit=3))

    assert [hit.pk for hit in page.hits] == [6, 5, 4]
    assert page.ranked is None
    assert page.total == 12 or (connection.vendor == "postgresql" and page.estimated)
