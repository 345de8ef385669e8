"""Searches the platform runs for its users, over whichever backend is configured."""

from __future__ import annotations

from search.backends import get_backend
from search.query import SearchQuery, SearchResults

PUBLIC_DOC_TYPES = ("article", "comment", "petition")
PAGE_SIZE = 20


def public_search(*, text: str, doc_type: str | None = None, page: int = 1) -> SearchResults | None:
    """What anyone may find: only documents marked public (live drafts, visible comments, open or
    closed petitions). Empty text is no search."""
    if not text.strip():
        return None
    doc_types = (doc_type,) if doc_type in PUBLIC_DOC_TYPES else PUBLIC_DOC_TYPES
    query = SearchQuery(
        text=text,
        doc_types=doc_types,
        filters={"public": True},
        facets=("doc_type",),
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    return get_backend().search(query)
