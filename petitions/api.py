"""JSON API for petitions and their answers, mounted at /api/petitions/.

Public: the open and closed petitions with their counts, thresholds, response clock, the government response
and the people's congress's consideration. Staff: publish a response, record a consideration (signed in, CSRF
token, a moderator of the petition's region).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from core.api_schemas import BAD_REQUEST, NOT_FOUND, UNAUTHORIZED, Detail, Errors, id_of
from petitions import selectors, services
from petitions.models import Petition
from petitions.models.petitions import PUBLIC_STATUSES

router = Router(tags=["petitions"])

PetitionId = id_of(Petition, "Petition id")
NO_NUL = r"^[^\x00]*$"  # PostgreSQL stores no NUL character in text
MAX_PAGE_SIZE = 200


class ThresholdsOut(Schema):
    response: int
    debate: int


class ResponseOut(Schema):
    text: str
    published_at: datetime


class ConsiderationOut(Schema):
    considered_on: date
    summary: str
    url: str


class PetitionOut(Schema):
    id: int
    title: str
    url: str
    status: str = Field(..., description="open or closed")
    region: str = Field(..., description="GB/T 2260 code of the government addressed")
    region_name: str
    signature_count: int
    opened_at: datetime | None
    closes_at: datetime | None
    response_threshold_reached_at: datetime | None
    debate_threshold_reached_at: datetime | None
    response_due_on: date | None = Field(None, description="When the government response is due (clock started)")
    response_overdue: bool
    responded: bool
    considered: bool


class RegionCount(Schema):
    code: str
    name: str
    count: int


class PetitionDetailOut(PetitionOut):
    action: str
    background: str
    thresholds: ThresholdsOut
    response: ResponseOut | None
    consideration: ConsiderationOut | None
    signatures_by_region: list[RegionCount]


class PetitionPage(Schema):
    count: int
    page: int
    pages: int
    results: list[PetitionOut]


class ResponseIn(Schema):
    """The limits the service checks are stated here and reported by it, per field, as a 400."""

    text: str = Field(
        ...,
        pattern=NO_NUL,
        description=f"The government response, {services.RESPONSE_MIN_LENGTH} to "
        f"{services.RESPONSE_MAX_LENGTH:,} characters",
        json_schema_extra={"minLength": services.RESPONSE_MIN_LENGTH, "maxLength": services.RESPONSE_MAX_LENGTH},
    )


class ConsiderationIn(Schema):
    considered_on: date = Field(..., description="The day the people's congress considered the petition")
    summary: str = Field(
        ...,
        pattern=NO_NUL,
        json_schema_extra={
            "minLength": services.CONSIDERATION_MIN_LENGTH,
            "maxLength": services.CONSIDERATION_MAX_LENGTH,
        },
    )
    url: str = Field("", max_length=500, description="Link to the record (https://…)")


def _petition_out(petition: Petition) -> dict:
    return {
        "id": petition.pk,
        "title": petition.title,
        "url": reverse("petitions:detail", args=[petition.pk]),
        "status": petition.status,
        "region": petition.region_id,
        "region_name": petition.region.full_name,
        "signature_count": petition.signature_count,
        "opened_at": petition.opened_at,
        "closes_at": petition.closes_at,
        "response_threshold_reached_at": petition.response_threshold_reached_at,
        "debate_threshold_reached_at": petition.debate_threshold_reached_at,
        "response_due_on": petition.response_due_on,
        "response_overdue": petition.response_overdue(),
        "responded": petition.has_response,
        "considered": petition.considered_on is not None,
    }


def _petition_detail(petition: Petition) -> dict:
    limits = services.petition_settings()
    return {
        **_petition_out(petition),
        "action": petition.action,
        "background": petition.background,
        "thresholds": {"response": limits.response_threshold, "debate": limits.debate_threshold},
        "response": {"text": petition.government_response, "published_at": petition.response_published_at}
        if petition.has_response
        else None,
        "consideration": {
            "considered_on": petition.considered_on,
            "summary": petition.consideration_summary,
            "url": petition.consideration_url,
        }
        if petition.considered_on
        else None,
        "signatures_by_region": [
            {"code": row["code"], "name": row["name"], "count": row["count"]}
            for row in selectors.signatures_by_region(petition)
        ],
    }


def _public_petition(petition_id: int) -> Petition:
    return get_object_or_404(Petition.objects.select_related("region"), pk=petition_id, status__in=PUBLIC_STATUSES)


def _errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


@router.get("/", response={200: PetitionPage, **BAD_REQUEST}, summary="Open and closed petitions, most signed first")
def list_petitions(
    request,
    status: Literal["open", "closed"] | None = None,
    page: Annotated[int, Query(ge=1, le=2**31 - 1, description="Past the last page: the last page")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
):
    paginator = Paginator(selectors.public_petitions(status), page_size)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [_petition_out(petition) for petition in current.object_list],
    }


@router.get(
    "/{petition_id}",
    response={200: PetitionDetailOut, **BAD_REQUEST, **NOT_FOUND},
    summary="One petition: counts, thresholds, response clock, response and consideration",
)
def get_petition(request, petition_id: PetitionId):
    return _petition_detail(_public_petition(petition_id))


def _staff_write(request, petition_id: int, write) -> Status:
    petition = get_object_or_404(Petition.objects.select_related("region"), pk=petition_id)
    try:
        write(petition)
    except PermissionDenied:
        return Status(403, {"errors": {"__all__": ["Only staff of the petition's region may answer it."]}})
    except ValidationError as error:
        return Status(400, {"errors": _errors(error)})
    petition.refresh_from_db()
    return Status(200, _petition_detail(petition))


@router.post(
    "/{petition_id}/response",
    auth=django_auth,
    response={200: PetitionDetailOut, **BAD_REQUEST, **UNAUTHORIZED, 403: Errors | Detail, **NOT_FOUND},
    summary="Publish the government response (staff of the region; send the CSRF token); signers who opted in are e-mailed",
)
def publish_response(request, petition_id: PetitionId, payload: ResponseIn):
    return _staff_write(
        request,
        petition_id,
        lambda petition: services.publish_response(petition=petition, user=request.user, text=payload.text),
    )


@router.post(
    "/{petition_id}/consideration",
    auth=django_auth,
    response={200: PetitionDetailOut, **BAD_REQUEST, **UNAUTHORIZED, 403: Errors | Detail, **NOT_FOUND},
    summary="Record the people's congress's consideration (staff of the region; past the debate threshold)",
)
def record_consideration(request, petition_id: PetitionId, payload: ConsiderationIn):
    return _staff_write(
        request,
        petition_id,
        lambda petition: services.record_consideration(
            petition=petition,
            user=request.user,
            considered_on=payload.considered_on,
            summary=payload.summary,
            url=payload.url,
        ),
    )
