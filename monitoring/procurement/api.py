"""Ingest endpoint for procurement records: compiled releases from a source system, upserted by ocid."""

from __future__ import annotations

from ninja import Router, Schema, Status

from core.api_schemas import BAD_REQUEST, UNAUTHORIZED
from monitoring.api import MAX_BATCH, IngestErrors, SourceToken, ingest_request
from monitoring.models import Domain
from monitoring.pipeline import IngestError
from monitoring.procurement.models import Process
from monitoring.procurement.reading import releases_of
from monitoring.procurement.services import ProcurementAdapter

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
        '`errors["[index].field"]` (index 0 for one release) and nothing of it is stored; a field that cannot be read or stored (a date out of range, a number too '
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
    """The body is read here rather than by a schema: an OCDS release is open-ended, and a body that is not
    JSON gets the same {"errors": {field: [messages]}} answer as every other bad input."""
    report = ingest_request(
        request,
        domain=Domain.PROCUREMENT,
        adapter=lambda source: ProcurementAdapter(source),
        records_of=_releases_of,
    )
    if isinstance(report, Status):
        return report
    by_ocid: dict[str, list[str]] = {}
    results = []
    for stored in report.stored:
        by_ocid.setdefault(stored.key, []).extend(str(alert.public_id) for alert in stored.alerts)
        problems: dict[str, list[str]] = {}
        for problem in stored.extra["problems"]:
            problems.setdefault(problem.field, []).append(problem.message)
        results.append(
            {"ocid": stored.key, "status": stored.status, "alerts": by_ocid[stored.key], "problems": problems}
        )
    # Cardinal's alerts (once for the whole request) join the process they are about.
    arrived = {str(alert.public_id) for stored in report.stored for alert in stored.alerts}
    for alert in report.alerts:
        if str(alert.public_id) not in arrived and alert.record_ref in by_ocid:
            by_ocid[alert.record_ref].append(str(alert.public_id))
    return {"results": results, "errors": report.errors, "alerts": [str(alert.public_id) for alert in report.alerts]}


def _releases_of(payload) -> list:
    if not isinstance(payload, list | dict):
        raise IngestError("Send a compiled release, a list of them, or a release package.")
    releases = releases_of(payload)
    if not releases:
        raise IngestError("No compiled release in the request.", field="releases")
    return releases
