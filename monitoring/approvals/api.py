"""Ingest endpoint for approval cases (token per source system; idempotent upsert by case number)."""

from __future__ import annotations

from ninja import Router, Schema, Status

from core.api_schemas import BAD_REQUEST, UNAUTHORIZED
from monitoring.api import MAX_BATCH, IngestErrors, SourceToken, body_of, read_body
from monitoring.approvals.records import approval_record_schema
from monitoring.approvals.services import ApprovalIngestError, current_evaluation, ingest_approval
from monitoring.limits import BodyError
from monitoring.models import Domain

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
        'Each case is checked on its own: a case that cannot be read is reported under `errors["field"]` '
        '(one case) or `errors["[index].field"]` (a list), and the others are stored.'
    ),
    openapi_extra=body_of(approval_record_schema(), "case"),
)
def ingest_approval_cases(request):
    """The body is read here rather than by a schema so that every malformed body gets the same 400 shape."""
    source = request.auth
    if source.domain != Domain.APPROVAL:
        return Status(403, {"errors": {"__all__": ["This token is for another domain."]}})
    try:
        payload = read_body(request)
    except BodyError as error:
        return Status(400, {"errors": {"__all__": [f"The body is not JSON: {error}"]}})
    if not isinstance(payload, list | dict):
        return Status(400, {"errors": {"__all__": ["Send one case (an object) or a list of cases."]}})
    single = isinstance(payload, dict)
    records = [payload] if single else payload
    if not records:
        return Status(400, {"errors": {"__all__": ["No case in the request."]}})
    if len(records) > MAX_BATCH:
        return Status(400, {"errors": {"__all__": [f"At most {MAX_BATCH} cases at once."]}})
    evaluation = current_evaluation()
    results, errors = [], {}
    for index, raw in enumerate(records):
        try:
            case, status, alerts = ingest_approval(raw, source=source, evaluation=evaluation)
        except ApprovalIngestError as error:
            key = error.field if single else f"[{index}].{error.field}"
            errors.setdefault(key, []).append(error.message)
            continue
        results.append(
            {
                "case_number": case.case_number,
                "status": status,
                "created": status == "created",
                "alerts": [str(alert.public_id) for alert in alerts],
            }
        )
    if errors and not results:
        return Status(400, {"errors": errors})
    return {
        "results": results,
        "errors": errors,
        "created": sum(1 for r in results if r["status"] == "created"),
        "updated": sum(1 for r in results if r["status"] == "updated"),
        "alerts": [alert for r in results for alert in r["alerts"]],
    }
