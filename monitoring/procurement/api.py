"""Ingest endpoint for procurement records: compiled releases from a source system, upserted by ocid."""

from __future__ import annotations

from django.db import transaction
from ninja import Router, Schema, Status

from core.api_schemas import BAD_REQUEST, UNAUTHORIZED
from monitoring.api import MAX_BATCH, IngestErrors, SourceToken, read_body
from monitoring.limits import BodyError
from monitoring.models import Domain
from monitoring.procurement.models import Process
from monitoring.procurement.reading import releases_of
from monitoring.procurement.services import cardinal_pass, ingest_release
from monitoring.services import IngestError

router = Router(tags=["monitoring"])


class ProcessResult(Schema):
    ocid: str
    status: str  # created, updated or unchanged
    alerts: list[str]
    problems: dict[str, list[str]]


class ProcurementResponse(Schema):
    results: list[ProcessResult]
    errors: dict[str, list[str]]
    alerts: list[str]  # every alert raised by this request, including those on organisations


_RELEASE = {
    "type": "object",
    "description": "an OCDS compiled release",
    "required": ["ocid"],
    "properties": {
        "ocid": {"type": "string", "minLength": 1, "maxLength": Process._meta.get_field("ocid").max_length},
    },
}


@router.post(
    "",
    auth=SourceToken(),
    response={200: ProcurementResponse, **BAD_REQUEST, **UNAUTHORIZED, 403: IngestErrors},
    summary="Ingest OCDS compiled releases (one, a list, or a release package); upserted by ocid",
    description=(
        "A release that is not a compiled release (no ocid, not an object, a NUL character) is reported under "
        '`errors["[index].field"]`; a field that cannot be read or stored (a date out of range, a number too '
        "large) becomes one of the release's `problems` and the rest of the release is stored."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            _RELEASE,
                            {"type": "array", "items": _RELEASE, "maxItems": MAX_BATCH, "description": "releases"},
                            {
                                "type": "object",
                                "description": "a release package or a record package",
                                "properties": {
                                    "releases": {"type": "array", "items": _RELEASE, "maxItems": MAX_BATCH},
                                    "records": {"type": "array", "maxItems": MAX_BATCH},
                                },
                            },
                        ]
                    }
                }
            },
        }
    },
)
def ingest_procurement(request):
    source = request.auth
    if source.domain != Domain.PROCUREMENT:
        return Status(403, {"errors": {"__all__": ["This token is for another domain."]}})
    # The body is read here rather than by a schema: an OCDS release is open-ended, and a body that is
    # not JSON gets the same {"errors": {field: [messages]}} answer as every other bad input.
    try:
        payload = read_body(request)
    except BodyError as error:
        return Status(400, {"errors": {"__all__": [f"The body is not JSON: {error}"]}})
    if not isinstance(payload, list | dict):
        return Status(400, {"errors": {"__all__": ["Send a compiled release, a list of them, or a release package."]}})
    releases = releases_of(payload)
    if not releases:
        return Status(400, {"errors": {"releases": ["No compiled release in the request."]}})
    if len(releases) > MAX_BATCH:
        return Status(400, {"errors": {"__all__": [f"At most {MAX_BATCH} releases at once."]}})
    results, errors, arrived = [], {}, set()
    by_ocid: dict[str, list[str]] = {}
    for index, raw in enumerate(releases):
        try:
            with transaction.atomic():
                outcome = ingest_release(raw, source=source, cardinal_now=False)
        except IngestError as error:
            errors[f"[{index}].{getattr(error, 'field', '__all__')}"] = [str(error)]
            continue
        ocid = outcome.process.ocid
        if outcome.status != "unchanged":
            arrived.add(ocid)
        by_ocid.setdefault(ocid, []).extend(str(alert.public_id) for alert in outcome.alerts)
        problems: dict[str, list[str]] = {}
        for problem in outcome.problems:
            problems.setdefault(problem.field, []).append(problem.message)
        results.append({"ocid": ocid, "status": outcome.status, "alerts": by_ocid[ocid], "problems": problems})
    if errors and not results:
        return Status(400, {"errors": errors})
    everything = [alert for ids in by_ocid.values() for alert in ids]
    if arrived:
        # Cardinal's fences over the source's population so far, once for the whole request.
        for alert in cardinal_pass(source=source, ocids=arrived):
            everything.append(str(alert.public_id))
            if alert.record_ref in by_ocid:
                by_ocid[alert.record_ref].append(str(alert.public_id))
    return {"results": results, "errors": errors, "alerts": everything}
