"""The ingest API: source systems push records with their token; each domain's endpoint runs the one pipeline.

Every registered domain's router is mounted under `/api/monitoring/<path>` (`domains_router`, from the registry).
Every endpoint reads its body and answers bad input the same way (`ingest_request`):

- 401 without a valid token, 403 with a token of another domain: `{"errors": {"__all__": [message]}}`;
- 400 when the body is not JSON, not a record or a list of them, or more than MAX_BATCH records:
  `{"errors": {"__all__" | body field: [message]}}`;
- a record that cannot be read or stored is named under `errors["[index].field"]` (`[index].__all__` for the
  record as a whole; index 0 for a body of one record) while the others are stored: 200, or 400 when no record
  of the request could be stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string
from ninja import Router, Status
from ninja.security import HttpBearer

from core.api_schemas import Errors
from monitoring.limits import BodyError, loads
from monitoring.models import SourceSystem
from monitoring.pipeline import DomainAdapter, IngestError, IngestReport, ingest
from monitoring.rules import registry
from monitoring.services import source_for_token

router = Router(tags=["monitoring"])

IngestErrors = Errors  # every ingest endpoint answers bad input as {"errors": {where: [messages]}}

MAX_BATCH = 1000
NOT_JSON = "Cannot parse request body"
OTHER_DOMAIN = "This token is for another domain."


class SourceToken(HttpBearer):
    def authenticate(self, request, token):
        return source_for_token(token)


def read_body(request) -> Any:
    """The request's JSON body; BodyError when it is not standard JSON (NaN, Infinity, bad UTF-8, too deep)."""
    return loads(request.body or b"null")


def body_of(record: dict, what: str) -> dict:
    """An OpenAPI request body: one record, or a list of at most MAX_BATCH."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            record,
                            {"type": "array", "items": record, "maxItems": MAX_BATCH, "description": f"{what}s"},
                        ]
                    }
                }
            },
        }
    }


def one_or_many(noun: str, *, empty_allowed: bool = True) -> Callable[[Any], list]:
    """The records of a body that is one record (an object) or a list of them."""

    def records_of(payload: Any) -> list:
        if not isinstance(payload, list | dict):
            raise IngestError(f"Send one {noun} (an object) or a list of {noun}s.")
        records = [payload] if isinstance(payload, dict) else payload
        if not records and not empty_allowed:
            raise IngestError(f"No {noun} in the request.")
        return records

    return records_of


def refused(field: str, message: str) -> Status:
    return Status(400, {"errors": {field: [message]}})


def ingest_request(
    request, *, domain: str, adapter: Callable[[SourceSystem], DomainAdapter], records_of: Callable[[Any], list]
) -> IngestReport | Status:
    """Run one ingest request through the pipeline: the token's domain, the body, the batch, each record.

    Returns the pipeline's report, or the error answer (a `Status`) in the one shape of every ingest endpoint.
    """
    source = request.auth
    if source.domain != domain:
        return Status(403, {"errors": {"__all__": [OTHER_DOMAIN]}})
    try:
        payload = read_body(request)
    except BodyError:
        return refused("__all__", NOT_JSON)
    try:
        records = records_of(payload)
    except IngestError as error:
        return refused(error.field, error.message)
    if len(records) > MAX_BATCH:
        return refused("__all__", f"At most {MAX_BATCH} records at once.")
    report = ingest(adapter(source), records)
    if report.errors and not report.stored:
        return Status(400, {"errors": report.errors})
    return report


_mounted: set[str] = set()


def domains_router() -> Router:
    """The monitoring router with each registered domain's endpoint mounted under /api/monitoring/<path>.

    Called when the API is built (`config.api`), after every app's ready() has registered its domain; mounting
    then rather than at import keeps a domain's api module importable on its own.
    """
    for domain in registry.domains():
        if domain.api_router and domain.code not in _mounted:
            router.add_router(domain.api_path, import_string(domain.api_router))
            _mounted.add(domain.code)
    return router
