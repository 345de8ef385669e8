"""What gets indexed: one SearchDocument per draft article, comment, petition and report.

Each document type names its model, which objects are indexed, and how an object becomes a
document. Both backends index the same documents, so they answer the same queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
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

    def searched_title(self) -> str:
        """A comment's title is its draft's: shown, not matched (else one word of it finds them all)."""
        return "" if self.doc_type == "comment" else self.analyzed_title()

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


@dataclass(frozen=True)
class DocumentType:
    name: str
    model_label: str  # app_label.ModelName
    queryset: Callable[[], QuerySet]  # every object that has a document
    build: Callable[[Any], SearchDocument | None]

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


# --- draft articles and comments ------------------------------------------------------------------


def _restricted(draft_path: str):
    """True (in SQL) when the draft or a page above it has a view restriction (password, login, groups)."""
    from django.db.models import Exists, F, OuterRef
    from django.db.models.functions import Length, Substr
    from wagtail.models import PageViewRestriction

    return Exists(
        PageViewRestriction.objects.annotate(prefix=Substr(OuterRef(draft_path), 1, Length("page__path"))).filter(
            page__path=F("prefix")
        )
    )


def _articles() -> QuerySet:
    from django.db.models import OuterRef, Subquery

    from consultations.models import DraftVersion, Provision

    current = DraftVersion.objects.filter(draft=OuterRef("version__draft")).order_by("-number").values("pk")[:1]
    return (
        Provision.objects.select_related("version__draft")
        .exclude(text="")
        .annotate(current_version=Subquery(current), draft_restricted=_restricted("version__draft__path"))
    )


def _article_document(provision) -> SearchDocument | None:
    draft = provision.version.draft
    if getattr(provision, "current_version", provision.version_id) != provision.version_id:
        return None  # only the current version of a draft is searched
    return SearchDocument(
        doc_type="article",
        pk=provision.pk,
        title=f"{draft.title} {provision.label} {provision.heading}".strip(),
        text=provision.text,
        url=f"{draft.url}articles/{provision.pk}/" if draft.url else "",
        created=provision.version.created_at,
        public=bool(draft.live) and not getattr(provision, "draft_restricted", False),
        keywords={"draft": [str(draft.pk)], "provision": [str(provision.pk)]},
    )


def _comments() -> QuerySet:
    from consultations.models import Comment

    return (
        Comment.objects.select_related("draft", "provision")
        .prefetch_related("memberships")
        .annotate(draft_restricted=_restricted("draft__path"))
    )


def _comment_document(comment) -> SearchDocument:
    from consultations.models import VISIBLE_STATUSES

    draft = comment.draft
    label = comment.provision.label if comment.provision_id else ""
    return SearchDocument(
        doc_type="comment",
        pk=comment.pk,
        title=f"{draft.title} {label}".strip(),
        text=comment.text,
        url=f"{draft.url}#comment-{comment.pk}" if draft.url else "",
        created=comment.created_at,
        public=bool(draft.live)
        and not getattr(comment, "draft_restricted", False)
        and comment.status in VISIBLE_STATUSES,
        keywords={
            "draft": [str(comment.draft_id)],
            "provision": [str(comment.provision_id)] if comment.provision_id else [],
            "stance": [comment.stance],
            "status": [comment.status],
            "theme": [str(membership.theme_id) for membership in comment.memberships.all()],
        },
        region=comment.region_id or "",
    )


# --- petitions and reports ----------------------------------------------------------------------


def _petitions() -> QuerySet:
    from petitions.models import Petition

    return Petition.objects.all()


def _petition_document(petition) -> SearchDocument:
    from petitions.models.petitions import PUBLIC_STATUSES

    return SearchDocument(
        doc_type="petition",
        pk=petition.pk,
        title=petition.title,
        text=f"{petition.action}\n{petition.background}".strip(),
        url=f"/petitions/{petition.pk}/",
        created=petition.opened_at or petition.created_at,
        public=petition.status in PUBLIC_STATUSES,
        keywords={"status": [petition.status]},
        region=petition.region_id or "",
    )


def _reports() -> QuerySet:
    from petitions.models import Report

    return Report.objects.all()


def _report_document(report) -> SearchDocument:
    """Reports are for inspectors only: never public, and the reporter's identity is not in them."""
    return SearchDocument(
        doc_type="report",
        pk=report.pk,
        title=f"{report.subject_unit} {report.subject_post}".strip(),
        text=report.description,
        url=f"/reports/cases/{report.public_id}/",
        created=report.received_at,
        public=False,
        keywords={"status": [report.state]},
        region=report.region_id or "",
    )


DOCUMENT_TYPES: dict[str, DocumentType] = {
    "article": DocumentType("article", "consultations.Provision", _articles, _article_document),
    "comment": DocumentType("comment", "consultations.Comment", _comments, _comment_document),
    "petition": DocumentType("petition", "petitions.Petition", _petitions, _petition_document),
    "report": DocumentType("report", "petitions.Report", _reports, _report_document),
}


def document_type_for(model: type[Model]) -> DocumentType | None:
    label = model._meta.label
    return next((doc_type for doc_type in DOCUMENT_TYPES.values() if doc_type.model_label == label), None)
