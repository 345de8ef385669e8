"""The ingest API: source systems push records with their token; idempotent upsert by record id."""

from __future__ import annotations

from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from monitoring.models import Domain
from monitoring.services import IngestError, ingest_land, source_for_token

router = Router(tags=["monitoring"])


class SourceToken(HttpBearer):
    def authenticate(self, request, token):
        return source_for_token(token)


class IngestResult(Schema):
    record_id: str
    created: bool
    alerts: list[str]


class IngestErrors(Schema):
    errors: dict[str, list[str]]


class IngestResponse(Schema):
    results: list[IngestResult]
    errors: dict[str, list[str]]


MAX_BATCH = 1000


@router.post(
    "/land",
    auth=SourceToken(),
    response={200: IngestResponse, 400: IngestErrors, 403: IngestErrors},
    summary="Ingest 供地结果 land-transfer records (one object or a list); upserted by idnumber",
)
def ingest_land_records(request, payload: list[dict] | dict):
    source = request.auth
    if source.domain != Domain.LAND:
        return Status(403, {"errors": {"__all__": ["This token is for another domain."]}})
    records = payload if isinstance(payload, list) else [payload]
    if len(records) > MAX_BATCH:
        return Status(400, {"errors": {"__all__": [f"At most {MAX_BATCH} records at once."]}})
    results, errors = [], {}
    for index, raw in enumerate(records):
        try:
            transfer, created, alerts = ingest_land(raw, source=source)
        except IngestError as error:
            errors[f"[{index}]"] = [str(error)]
            continue
        results.append(
            {"record_id": transfer.record_id, "created": created, "alerts": [str(alert.public_id) for alert in alerts]}
        )
    if errors and not results:
        return Status(400, {"errors": errors})
    return {"results": results, "errors": errors}
