"""JSON API for consultations, mounted at /api/consultations/."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from consultations import selectors, services
from consultations.models import DraftPage, DraftVersion, Provision, Sector, Stance
from core.api_schemas import BAD_REQUEST, NOT_FOUND, UNAUTHORIZED, Detail, Errors, constraints, id_of, model_field
from core.paging import CountedPaginator
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


DraftId = id_of(DraftPage, "Draft (page) id")
ProvisionId = id_of(Provision, "Article or item id")
VersionNumber = Annotated[int, Field(ge=1, **{"le": constraints(model_field(DraftVersion, "number"))["le"]})]
NO_NUL = r"^[^\x00]*$"  # PostgreSQL stores no NUL character in text


class CommentIn(Schema):
    """The limits the service checks (length, stance, sector) are stated here and reported together by it."""

    text: str = Field(
        ...,
        pattern=NO_NUL,
        description=f"The comment, {services.COMMENT_MIN_LENGTH} to {services.COMMENT_MAX_LENGTH:,} characters",
        json_schema_extra={"minLength": services.COMMENT_MIN_LENGTH, "maxLength": services.COMMENT_MAX_LENGTH},
    )
    stance: str = Field(
        ...,
        description="support, oppose or amend",
        json_schema_extra={"enum": [Stance.SUPPORT.value, Stance.OPPOSE.value, Stance.AMEND.value]},
    )
    provision: ProvisionId | None = Field(None, description="Article or item id; empty for the whole draft")
    quote: str = Field(
        "",
        pattern=NO_NUL,
        description="A passage of the article",
        json_schema_extra={"maxLength": services.QUOTE_MAX_LENGTH},
    )
    region: str | None = Field(None, pattern=r"^[0-9]{6}$", description="Six-digit GB/T 2260 code")
    sector: str = Field("", json_schema_extra={"enum": ["", *Sector.values]})


class CommentCreated(Schema):
    id: int
    status: str
    visible: bool


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


def _live_draft(request, draft_id: int) -> DraftPage:
    """A published draft this request may view: Wagtail's view restrictions (sign-in, groups, password)
    hold for the API as for the page; a draft the request may not view does not exist for it."""
    draft = get_object_or_404(DraftPage.objects.live(), pk=draft_id)
    if not all(restriction.accept_request(request) for restriction in draft.get_view_restrictions()):
        raise Http404
    return draft


@router.get("/drafts", response=list[DraftOut], summary="Drafts published for comment")
def list_drafts(request):
    return [_draft_out(draft) for draft in selectors.list_drafts()]


@router.get("/drafts/{draft_id}", response={200: DraftOut, **BAD_REQUEST, **NOT_FOUND}, summary="One draft")
def get_draft(request, draft_id: DraftId):
    return _draft_out(_live_draft(request, draft_id))


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
    response={200: StructureOut, **BAD_REQUEST, 404: Errors | Detail},
    summary="A version's structure: 编/章/节 with their articles, each with its comment count",
)
def get_structure(request, draft_id: DraftId, version: VersionNumber | None = None):
    draft = _live_draft(request, draft_id)
    chosen = draft.versions.filter(number=version).first() if version else draft.current_version
    if chosen is None:
        return Status(404, {"errors": {"version": ["No such version."]}})
    return {
        "draft": draft.pk,
        "version": {"number": chosen.number, "label": chosen.label, "structure": chosen.structure},
        "provisions": [_provision_out(view) for view in selectors.provision_tree(chosen)],
    }


MAX_PAGE_SIZE = 200


@router.get(
    "/drafts/{draft_id}/comments",
    response={200: CommentPage, **BAD_REQUEST, **NOT_FOUND},
    summary="Published comments, newest first",
)
def list_comments(
    request,
    draft_id: DraftId,
    page: Annotated[int, Query(ge=1, le=2**31 - 1, description="Past the last page: the last page")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    provision: ProvisionId | None = None,
):
    draft = _live_draft(request, draft_id)
    comments = selectors.visible_comments(draft).order_by("-created_at", "-pk")
    if provision is not None:
        comments = comments.filter(provision_id=provision)
    count = selectors.visible_count(draft, provisions=None if provision is None else [provision])
    paginator = CountedPaginator(comments, page_size, count=count)
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
    response={201: CommentCreated, **BAD_REQUEST, **UNAUTHORIZED, 403: Errors | Detail, **NOT_FOUND},
    summary="Submit a comment (signed in; send the CSRF token)",
)
def create_comment(request, draft_id: DraftId, payload: CommentIn):
    draft = _live_draft(request, draft_id)
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


class ReportCounts(Schema):
    comments: int = Field(..., description="Published comments, counted raw")
    counting_campaigns_once: int = Field(..., description="The same with each mass campaign counted once")


class ReportThemeOut(Schema):
    id: int
    title: str
    summary: str
    decision: str = Field(..., description="adopted, partly_adopted, not_adopted or pending")
    reason: str
    adopted_in: int | None = Field(None, description="Article (provision id) of a later version that took it up")
    adopted_in_label: str | None
    counts: ReportCounts
    stances: dict[str, int]


class ReportCampaignOut(Schema):
    id: int
    form_text: str = Field(..., description="The text the signers share")
    signers: int = Field(..., description="Published comments of the campaign")
    with_additions: int = Field(..., description="How many signers added words of their own")
    additions: list[str] = Field(..., description="The first of those additions")
    stances: dict[str, int]


class ReportArticleOut(Schema):
    provision: int
    label: str
    counts: ReportCounts


class ReportOut(Schema):
    draft: int
    published_at: datetime
    pdf: str
    commenters: int
    counts: ReportCounts
    rejected: int = Field(..., description="Comments not published after moderation")
    stances: dict[str, int]
    themes: list[ReportThemeOut]
    unthemed: int
    campaigns: list[ReportCampaignOut]
    articles: list[ReportArticleOut]
    whole_draft: ReportCounts


@router.get(
    "/drafts/{draft_id}/report",
    response={200: ReportOut, **BAD_REQUEST, **NOT_FOUND},
    summary="The published report on how comments were handled, campaigns counted raw and once",
)
def get_report(request, draft_id: DraftId):
    draft = _live_draft(request, draft_id)
    if draft.report_published_at is None:
        raise Http404
    report = selectors.build_report(draft)
    return {
        "draft": draft.pk,
        "published_at": draft.report_published_at,
        "pdf": draft.url + draft.reverse_subpage("report_pdf"),
        "commenters": report.commenters,
        "counts": {"comments": report.comments, "counting_campaigns_once": report.weighted},
        "rejected": report.rejected,
        "stances": report.stance_split,
        "themes": [
            {
                "id": s.theme.pk,
                "title": s.theme.title,
                "summary": s.theme.summary,
                "decision": s.theme.decision,
                "reason": s.theme.reason,
                "adopted_in": s.theme.adopted_in_id,
                "adopted_in_label": s.theme.adopted_in.label if s.theme.adopted_in else None,
                "counts": {"comments": s.size, "counting_campaigns_once": s.weighted},
                "stances": s.stances,
            }
            for s in report.themes
        ],
        "unthemed": report.unthemed,
        "campaigns": [
            {
                "id": c.campaign.pk,
                "form_text": c.campaign.form_text,
                "signers": c.signers,
                "with_additions": c.with_additions,
                "additions": c.additions,
                "stances": c.stances,
            }
            for c in report.campaigns
        ],
        "articles": [
            {
                "provision": row.provision.pk,
                "label": row.provision.label,
                "counts": {"comments": row.comments, "counting_campaigns_once": row.weighted},
            }
            for row in report.articles
        ],
        "whole_draft": {"comments": report.whole_draft, "counting_campaigns_once": report.whole_draft_weighted},
    }


def _sectors():
    from consultations.models import Sector

    return Sector.choices
