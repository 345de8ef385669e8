"""The contract every search backend implements; the same test suite runs against each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from search.documents import SearchDocument
from search.query import SearchHit, SearchQuery, SearchResults
from search.tokenize import query_words


class SearchUnavailable(RuntimeError):
    """The search server cannot be reached; indexing is retried later from the outbox."""


class SearchBackend(ABC):
    def __init__(self, *, url: str | None = None, index_prefix: str = "sunshine", **options):
        self.url = url
        self.index_prefix = index_prefix

    @abstractmethod
    def index(self, documents: Iterable[SearchDocument]) -> int:
        """Add or replace documents (by type and id). Returns how many were written."""

    @abstractmethod
    def delete(self, keys: Iterable[tuple[str, int]]) -> int:
        """Remove documents by (type, id); missing ones are ignored. Returns how many were asked."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked hits with highlights on the original text, the total, and facet counts."""

    @abstractmethod
    def rebuild(self, documents: Iterable[SearchDocument], doc_types: Iterable[str]) -> int:
        """Replace the index of these document types with these documents; searches keep
        answering from the old index until the new one is complete."""

    @abstractmethod
    def count(self, doc_type: str | None = None) -> int:
        """How many documents are indexed (of one type)."""

    def query_words(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """The query's words, segmented and folded like the index, each with the words inside it."""
        return query_words(text)

    @staticmethod
    def highlight_terms(words: list[tuple[str, tuple[str, ...]]]) -> list[str]:
        return list(dict.fromkeys([word for word, _ in words] + [part for _, parts in words for part in parts]))

    @staticmethod
    def hit(document_type: str, pk: int, score: float, title: str, text: str, url: str, terms, source) -> SearchHit:
        from search.highlight import highlight

        return SearchHit(
            doc_type=document_type,
            pk=pk,
            score=score,
            title=title,
            highlight=highlight(text, terms),
            url=url,
            source=source,
        )
