"""What a search asks and what it answers: the contract every backend implements.

A query names the document types, free text (segmented like the index), filters and the facets to
count. Filters are exact matches on keyword fields, except `region` (a region code: the region and
everything inside it) and `created_from` / `created_to` (dates, inclusive). Facets count values
among the documents that match the text and the filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

DOC_TYPES = ("article", "comment", "petition", "report")
# Keyword filters: field name → how documents store it (all keyword fields; `theme` is multi-valued).
KEYWORD_FILTERS = ("draft", "provision", "stance", "status", "theme", "public", "doc_type")
FACETS = ("doc_type", "draft", "provision", "stance", "region", "status", "theme")
MAX_LIMIT = 100


class QueryError(ValueError):
    """A query that cannot be run; the message names the field."""


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    doc_types: tuple[str, ...] = ("comment",)
    filters: dict[str, Any] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    offset: int = 0
    limit: int = 20

    def __post_init__(self):
        unknown = [doc_type for doc_type in self.doc_types if doc_type not in DOC_TYPES]
        if unknown or not self.doc_types:
            raise QueryError(f"doc_types: unknown {unknown or 'empty'}")
        allowed = {*KEYWORD_FILTERS, "region", "created_from", "created_to"}
        if bad := sorted(set(self.filters) - allowed):
            raise QueryError(f"filters: unknown {bad}")
        if bad := sorted(set(self.facets) - set(FACETS)):
            raise QueryError(f"facets: unknown {bad}")
        for name in ("created_from", "created_to"):
            value = self.filters.get(name)
            if value is not None and not isinstance(value, date):
                raise QueryError(f"filters.{name}: a date")
        if self.offset < 0 or not 0 < self.limit <= MAX_LIMIT:
            raise QueryError(f"limit: between 1 and {MAX_LIMIT}; offset: not negative")

    def keyword_filters(self) -> dict[str, list[str]]:
        """Keyword filters with their values as lists of strings (None and '' mean no filter)."""
        result = {}
        for name in KEYWORD_FILTERS:
            value = self.filters.get(name)
            if value is None or value == "":
                continue
            values = value if isinstance(value, list | tuple | set | frozenset) else [value]
            result[name] = [_keyword(v) for v in values]
        return result


def _keyword(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class SearchHit:
    doc_type: str
    pk: int
    score: float
    title: str
    highlight: str  # safe HTML: the original text, with <mark> around the matched words
    url: str
    source: dict[str, Any]


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]
    terms: list[str]  # the query's words after segmentation
    # True when `total` and the facet counts are estimates (a word matching too many documents to count them:
    # search.backends.bounded); `ranked` is then how many of the matches were ranked (None: all of them)
    estimated: bool = False
    ranked: int | None = None
