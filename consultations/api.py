"""JSON API for consultations, mounted at /api/consultations/."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from consultations import selectors, services
from consultations.models import DraftPage, Provision
from regions.models import Region

router = Router(tags=["consultations"])


class VersionOut(Schema):
    number: int
    label: str
    structure: dict


class DraftOut(Schema):
    id: int
    title: str
    url: str
    drafting_body: str
    summary: str
    status: str
    opens_at: datetime
    closes_at: datetime
    jurisdiction: str
    moderation: str
    versions: list[VersionOut]


class ProvisionOut(Schema):
    id: int
    kind: str
    label: str
    number: int
    heading: str
    paragraphs: list[str]
    comment_count: int
    descends_from: int | None
    children: list[ProvisionOut] = []


class StructureOut(Schema):
    draft: int
    version: VersionOut
    provisions: list[ProvisionOut]


class CommentOut(Schema):
    id: int
    provision: int | None
    article: str | None
    stance: str
    text: str
    quote: str
    region: str | None
    sector: str
    created_at: datetime
    source: str


class CommentPage(Schema):
    count: int
    page: int
    pages: int
    results: list[CommentOut]


class CommentIn(Schema):
    text: str = Field(..., description="The comment, 5 to 5,000 characters")
    stance: str = Field(..., description="support, oppose or amend")
    provision: int | None = Field(None, description="Article or item id; empty for the whole draft")
    quote: str = ""
    region: str | None = Field(None, description="Six-digit GB/T 2260 code")
    sector: str = ""


class CommentCreated(Schema):
    id: int
    status: str
    visible: bool


class Errors(Schema):
    errors: dict[str, list[str]]


def _draft_out(draft: DraftPage) -> dict:
    return {
        "id": draft.pk,
        "title": draft.title,
        "url": draft.url,
        "drafting_body": draft.drafting_body,
        "summary": draft.summary,
        "status": draft.status.value,
        "opens_at": draft.opens_at,
        "closes_at": draft.closes_at,
        "jurisdiction": draft.jurisdiction_id,
        "moderation": draft.moderation,
        "versions": [{"number": v.number, "label": v.label, "structure": v.structure} for v in draft.versions.all()],
    }


def _live_draft(draft_id: int) -> DraftPage:
    return get_object_or_404(DraftPage.objects.live(), pk=draft_id)


@router.get("/drafts", response=list[DraftOut], summary="Drafts published for comment")
def list_drafts(request):
    return [_draft_out(draft) for draft in selectors.list_drafts()]


@router.get("/drafts/{draft_id}", response=DraftOut, summary="One draft")
def get_draft(request, draft_id: int):
    return _draft_out(_live_draft(draft_id))


def _provision_out(view: selectors.ProvisionView) -> dict:
    provision = view.provision
    return {
        "id": provision.pk,
        "kind": provision.kind,
        "label": provision.label,
        "number": provision.number,
        "heading": provision.heading,
        "paragraphs": provision.paragraphs,
        "comment_count": view.count,
        "descends_from": provision.predecessor_id,
        "children": [_provision_out(child) for child in view.children],
    }


@router.get(
    "/drafts/{draft_id}/structure",
    response={200: StructureOut, 404: Errors},
    summary="A version's structure: 编/章/节 with their articles, each with its comment count",
)
def get_structure(request, draft_id: int, version: int | None = None):
    draft = _live_draft(draft_id)
    chosen = draft.versions.filter(number=version).first() if version else draft.current_version
    if chosen is None:
        return Status(404, {"errors": {"version": ["No such version."]}})
    return {
        "draft": draft.pk,
        "version": {"number": chosen.number, "label": chosen.label, "structure": chosen.structure},
        "provisions": [_provision_out(view) for view in selectors.provision_tree(chosen)],
    }


@router.get("/drafts/{draft_id}/comments", response=CommentPage, summary="Published comments, newest first")
def list_comments(request, draft_id: int, page: int = 1, page_size: int = 50, provision: int | None = None):
    draft = _live_draft(draft_id)
    comments = selectors.visible_comments(draft).order_by("-created_at", "-pk")
    if provision is not None:
        comments = comments.filter(provision_id=provision)
    paginator = Paginator(comments, max(1, min(page_size, 200)))
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [
            {
                "id": c.pk,
                "provision": c.provision_id,
                "article": c.provision.label if c.provision else None,
                "stance": c.stance,
                "text": c.text,
                "quote": c.quote,
                "region": c.region_id,
                "sector": c.sector,
                "created_at": c.created_at,
                "source": c.source,
            }
            for c in current.object_list
        ],
    }


@router.post(
    "/drafts/{draft_id}/comments",
    auth=django_auth,
    response={201: CommentCreated, 400: Errors, 403: Errors},
    summary="Submit a comment (signed in; send the CSRF token)",
)
def create_comment(request, draft_id: int, payload: CommentIn):
    draft = _live_draft(draft_id)
    errors: dict[str, list[str]] = {}
    provision = None
    if payload.provision is not None:
        provision = Provision.objects.filter(pk=payload.provision, version__draft=draft).first()
        if provision is None:
            errors["provision"] = ["No such article in this draft."]
    region = None
    if payload.region:
        region = Region.objects.filter(code=payload.region).first()
        if region is None:
            errors["region"] = ["Unknown region code."]
    if payload.sector and payload.sector not in {value for value, _ in _sectors()}:
        errors["sector"] = ["Unknown sector."]
    if errors:
        return Status(400, {"errors": errors})
    try:
        comment = services.submit_comment(
            draft=draft,
            author=request.user,
            provision=provision,
            text=payload.text,
            stance=payload.stance,
            quote=payload.quote,
            region=region,
            sector=payload.sector,
        )
    except services.CommentRejected as rejection:
        return Status(400, {"errors": {field: list(messages) for field, messages in rejection.message_dict.items()}})
    except PermissionDenied as denied:
        return Status(403, {"errors": {"__all__": [str(denied)]}})
    return Status(201, {"id": comment.pk, "status": comment.status, "visible": comment.is_visible})


def _sectors():
    from consultations.models import Sector

    return Sector.choices
