"""What gets indexed: a registry of document types, each turning objects of one model into SearchDocuments.

Search knows documents, never the apps that make them: each app builds its own and registers them from
its AppConfig.ready (`consultations/search.py`: draft articles and comments; `petitions/search.py`:
petitions and reports). Saving or deleting an object of a registered type's model writes an outbox row
(`search.indexing`), so every change of an indexed object reaches the index. Both backends index the
same documents, so they answer the same queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
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


@dataclass(frozen=True)
class DocumentType:
    """One kind of document: its model, which objects have one, and how an object becomes one.

    `changed_by` tells the indexing which other changes reach these documents: outbox rows recorded
    under another name (say "draft", for a change that touches every article and comment of a draft)
    map to ids of this type through the function given for that name.
    """

    name: str
    model_label: str  # app_label.ModelName
    queryset: Callable[[], QuerySet]  # every object that has a document
    build: Callable[[Any], SearchDocument | None]
    changed_by: Mapping[str, Expansion] = field(default_factory=dict)

    def model(self) -> type[Model]:
        from django.apps import apps

        return apps.get_model(self.model_label)

    def documents(self, chunk_size: int = 500) -> Iterator[SearchDocument]:
        for obj in self.queryset().iterator(chunk_size=chunk_size):
            if (document := self.build(obj)) is not None:
                yield document

    def document_for(self, pk: int) -> SearchDocument | None:
        obj = self.queryset().filter(pk=pk).first()
        return self.build(obj) if obj is not None else None


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
