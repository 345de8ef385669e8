"""What gets indexed: a registry of document types, each turning objects of one model into SearchDocuments.

Search knows documents, never the apps that make them: each app builds its own and registers them from
its AppConfig.ready (`consultations/search.py`: draft articles and comments; `petitions/search.py`:
petitions; `reports/search.py`: reports). Saving or deleting an object of a registered type's model writes an outbox row
(`search.indexing`), so every change of an indexed object reaches the index. Both backends index the
same documents, so they answer the same queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from django.db.models import Model, QuerySet

from regions.codes import ancestors, is_region_code
from search.tokenize import analyze


@dataclass(frozen=True)
class SearchDocument:
    doc_type: str
    pk: int
    title: str
    text: str
    url: str
    created: datetime
    public: bool
    keywords: dict[str, list[str]] = field(default_factory=dict)  # draft, provision, stance, status, theme
    region: str = ""  # the region code; filters match it and every enclosing region
    title_searched: bool = True  # False: the title is shown, not matched (a comment's is its draft's)

    def searched_title(self) -> str:
        """The analysed title when it is matched; empty when it is only shown (else one word of a shared
        title would find every document that shares it)."""
        return self.analyzed_title() if self.title_searched else ""

    @property
    def key(self) -> str:
        return f"{self.doc_type}:{self.pk}"

    def analyzed_title(self) -> str:
        return analyze(self.title)

    def analyzed_text(self) -> str:
        return analyze(self.text)

    def region_path(self) -> list[str]:
        return region_path(self.region)

    def all_keywords(self) -> dict[str, list[str]]:
        """Every keyword field, including the document type and whether it is public."""
        return {
            **self.keywords,
            "doc_type": [self.doc_type],
            "public": ["true" if self.public else "false"],
            **({"region": [self.region]} if self.region else {}),
        }


def region_path(code: str) -> list[str]:
    """A GB/T 2260 code and the codes of the regions enclosing it, country first."""
    return [*ancestors(code), code] if is_region_code(code) else []


Expansion = Callable[[set[int]], Iterable[int]]
# Documents built many at a time: (the object ids, sorted — None for every object —, the batch size) → batches.
BatchBuilder = Callable[[Sequence[int] | None, int], Iterator[list[SearchDocument]]]
BATCH_SIZE = 2000


def keyset(queryset: QuerySet, ids: Sequence[int] | None, size: int) -> Iterator[list]:
    """The rows of a queryset in batches by ascending primary key: after the last key seen (every row), or
    `size` ids at a time (these ids). One query per batch, none held open between them; rows may be model
    instances or `values_list` tuples whose first value is the primary key."""
    queryset = queryset.order_by("pk")
    if ids is not None:
        ids = sorted(set(ids))
        for start in range(0, len(ids), size):
            if rows := list(queryset.filter(pk__in=ids[start : start + size])):
                yield rows
        return
    last = None
    while True:
        rows = list((queryset if last is None else queryset.filter(pk__gt=last))[:size])
        if not rows:
            return
        yield rows
        last = rows[-1][0] if isinstance(rows[-1], tuple) else rows[-1].pk


@dataclass(frozen=True)
class DocumentType:
    """One kind of document: its model, which objects have one, and how an object becomes one.

    `changed_by` tells the indexing which other changes reach these documents: outbox rows recorded
    under another name (say "draft", for a change that touches every article and comment of a draft)
    map to ids of this type through the function given for that name.

    `batches`, for types with many documents, builds them many at a time (from value tuples, with a few
    queries per batch rather than some per object); without it, objects of `queryset` are read in keyset
    batches and built one by one with `build`. Indexing, incremental and full, only ever asks for batches.
    """

    name: str
    model_label: str  # app_label.ModelName
    queryset: Callable[[], QuerySet]  # every object that has a document
    build: Callable[[Any], SearchDocument | None]
    changed_by: Mapping[str, Expansion] = field(default_factory=dict)
    batches: BatchBuilder | None = None

    def model(self) -> type[Model]:
        from django.apps import apps

        return apps.get_model(self.model_label)

    def count(self) -> int:
        """How many objects may have a document (for progress: at most this many)."""
        return self.queryset().count()

    def document_batches(
        self, ids: Iterable[int] | None = None, size: int | None = None
    ) -> Iterator[list[SearchDocument]]:
        """The documents of these objects (None: of every object), in batches of `size` (BATCH_SIZE) objects
        by ascending id; objects without a document (gone, or not indexed) are left out, and a batch may come
        back empty."""
        size = size or BATCH_SIZE
        wanted = None if ids is None else sorted(set(ids))
        if self.batches is not None:
            yield from self.batches(wanted, size)
            return
        for objects in keyset(self.queryset(), wanted, size):
            yield [document for obj in objects if (document := self.build(obj)) is not None]

    def documents(self, chunk_size: int | None = None) -> Iterator[SearchDocument]:
        for batch in self.document_batches(size=chunk_size):
            yield from batch

    def document_for(self, pk: int) -> SearchDocument | None:
        return next((document for batch in self.document_batches([pk]) for document in batch), None)


# --- the registry --------------------------------------------------------------------------------

_registry: dict[str, DocumentType] = {}
_by_model: dict[str, DocumentType] = {}


def register(doc_type: DocumentType) -> DocumentType:
    """Index documents of this type (call from the app's AppConfig.ready).

    From then on, saving or deleting an object of its model writes an outbox row. Registering again
    under the same name replaces the type; one model has at most one document type.
    """
    previous = _by_model.get(doc_type.model_label)
    if previous is not None and previous.name != doc_type.name:
        raise ValueError(f"{doc_type.model_label} is indexed as {previous.name!r} already")
    if (replaced := _registry.get(doc_type.name)) is not None:
        _by_model.pop(replaced.model_label, None)
    _registry[doc_type.name] = doc_type
    _by_model[doc_type.model_label] = doc_type
    return doc_type


def registered() -> Mapping[str, DocumentType]:
    """Every registered document type by name (read-only)."""
    return MappingProxyType(_registry)


def get(name: str) -> DocumentType:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no search document type {name!r} is registered") from None


def document_type_for(model: type[Model]) -> DocumentType | None:
    """The document type objects of this model are indexed as, if any (a dictionary look-up: it runs on
    every save)."""
    return _by_model.get(model._meta.label)
