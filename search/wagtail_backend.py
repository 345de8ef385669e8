"""Wagtail's own page search, made to work for Chinese.

Wagtail's database backend splits text on spaces and punctuation, which leaves a run of Chinese
characters as one unsearchable word. This backend is Wagtail's database backend (SQLite FTS5 or
PostgreSQL, whichever the site runs on) with the platform's segmentation on both sides:

- indexing: every field value is replaced by its segmented words (search.tokenize.analyze), so
  titles and bodies are stored as words, including the shorter words inside long ones;
- querying: a query string becomes, for each word, "the word, or every shorter word inside it",
  all words required — the same rule as the platform's own search backends.

Configured in settings as WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] = "search.wagtail_backend".
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from modelsearch.backends.database import SearchBackend as database_backend_for_vendor
from modelsearch.query import And, Or, PlainText

from search.tokenize import analyze, query_words

_PATCHED: set[type] = set()


def _segmenting(indexer_class: type) -> type:
    class SegmentingObjectIndexer(indexer_class):
        def prepare_value(self, value):
            text = super().prepare_value(value)
            return analyze(text) if text else text

    SegmentingObjectIndexer.__name__ = f"Segmenting{indexer_class.__name__}"
    return SegmentingObjectIndexer


def _patch_indexer(backend) -> None:
    """Wagtail's index classes build their ObjectIndexer from their module: segment there."""
    import importlib

    module: Any = importlib.import_module(type(backend).__module__)  # its attributes are Wagtail's, unknown here
    indexer = getattr(module, "ObjectIndexer", None)
    if indexer is not None and indexer not in _PATCHED and not indexer.__name__.startswith("Segmenting"):
        module.ObjectIndexer = _segmenting(indexer)
        _PATCHED.add(module.ObjectIndexer)


def chinese_query(query):
    """A query string as Wagtail query objects: every word, or all the shorter words inside it."""
    if not isinstance(query, str):
        return query
    clauses = []
    for word, parts in query_words(query):
        clause = PlainText(word)
        if parts:
            clause = Or([clause, And([PlainText(part) for part in parts])])
        clauses.append(clause)
    if not clauses:
        return ""
    return reduce(lambda left, right: And([left, right]), clauses)


def SearchBackend(params):  # noqa: N802 - Wagtail looks this name up in the module
    backend = database_backend_for_vendor(params)
    _patch_indexer(backend)
    base: Any = type(backend)  # the database vendor's Wagtail backend class

    class ChineseSearchBackend(base):
        def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
            text = query.query_string if isinstance(query, PlainText) else query
            if isinstance(text, str):
                if query_compiler_class is self.query_compiler_class:
                    query = chinese_query(text)
                else:  # autocomplete takes plain text: the shorter words of long ones, every one required
                    words = " ".join(" ".join(parts) if parts else word for word, parts in query_words(text))
                    query = PlainText(words, operator="and") if words else ""
            return super()._search(query_compiler_class, query, model_or_queryset, **kwargs)

    ChineseSearchBackend.__name__ = f"Chinese{base.__name__}"
    backend.__class__ = ChineseSearchBackend
    return backend
