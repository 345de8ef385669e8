"""Ingest endpoint for approval cases (token per source system; idempotent upsert by case number)."""

from __future__ import annotations

from ninja import Router, Schema, Status

from core.api_schemas import BAD_REQUEST, UNAUTHORIZED
from monitoring.api import IngestErrors, SourceToken, body_of, ingest_request, one_or_many
from monitoring.approvals.records import approval_record_schema
from monitoring.approvals.services import ApprovalAdapter
from monitoring.models import Domain
from monitoring.pipeline import CREATED, UPDATED

router = Router(tags=["monitoring"])


class CaseResult(Schema):
    case_number: str
    status: str  # created, updated or unchanged
    created: bool
    alerts: list[str]


class ApprovalResponse(Schema):
    results: list[CaseResult]
    errors: dict[str, list[str]]
    created: int
    updated: int
    alerts: list[str]


@router.post(
    "",
    auth=SourceToken(),
    response={200: ApprovalResponse, **BAD_REQUEST, **UNAUTHORIZED, 403: IngestErrors},
    summary="Ingest administrative approval cases (one object or a list); upserted by case number",
    description=(
        'Each case is checked on its own: a case that cannot be read is reported under `errors["[index].field"]` '
        "(index 0 for one case) and nothing of it is stored; the others are stored."
    ),
    openapi_extra=body_of(approval_record_schema(), "case"),
)
def ingest_approval_cases(request):
    """The body is read here rather than by a schema so that every malformed body gets the same 400 shape."""
    report = ingest_request(
        request,
        domain=Domain.APPROVAL,
        adapter=lambda source: ApprovalAdapter(source),
        records_of=one_or_many("case", empty_allowed=False),
    )
    if isinstance(report, Status):
        return report
    results = [
        {
            "case_number": stored.key,
            "status": stored.status,
            "created": stored.created,
            "alerts": [str(alert.public_id) for alert in stored.alerts],
        }
        for stored in report.stored
    ]
    return {
        "results": results,
        "errors": report.errors,
        "created": sum(1 for r in results if r["status"] == CREATED),
        "updated": sum(1 for r in results if r["status"] == UPDATED),
        "alerts": [alert for r in results for alert in r["alerts"]],
    }
