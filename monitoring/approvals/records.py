"""Reading an approval case record (one JSON object) into plain values. Pure: no ORM.

The record format (what source systems send, one object per case; keys starting with "_" are ignored):

    {"case_number": "130602-SPJY-2025-000123",
     "matter": {"code": "SP-JY", "name": "食品经营许可", "basis": "…",
                "legal_limit": {"days": 10, "unit": "working"}, "promised_limit": {"days": 5, "unit": "working"},
                "required_steps": ["受理", "审查", "决定", "送达"]},
     "extension_days": 0,
     "region": "130602",
     "department": {"name": "保定市竞秀区行政审批局", "credit_code": "…"},
     "applicant": {"name": "…", "kind": "org" | "person", "credit_code": "…",
                   "legal_representative": "…", "controller": "…"},
     "received_at": "2025-03-03T09:12:00+08:00", "accepted_at": "…", "decided_at": "…" | null,
     "outcome": "approved" | "refused" | "withdrawn" | "pending",
     "steps": [{"sequence": 1, "name": "受理", "handler": "李明", "department": "…",
                "started_at": "…", "finished_at": "…", "limit": {"days": 1, "unit": "working"},
                "counts": true}],
     "corrections": [{"requested_at": "…", "answered_at": "…", "items": ["…"]}]}

Timestamps are ISO 8601; one without an offset is read as China time (UTC+8), never skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitoring.limits import DATE_RANGE, in_range, nul_at

CHINA = ZoneInfo("Asia/Shanghai")
UNITS = ("natural", "working")
OUTCOMES = ("pending", "approved", "refused", "withdrawn")
KINDS = ("org", "person")
CASE_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-_/.]{0,49}$")
MAX_STEPS = 30
MAX_CORRECTIONS = 20


class ApprovalRecordError(ValueError):
    """A record that cannot be read; `field` names the part at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Limit:
    days: int
    unit: str  # natural | working


@dataclass(frozen=True)
class StepRecord:
    sequence: int
    name: str
    handler: str
    department: str
    started_at: datetime | None
    finished_at: datetime | None
    limit: Limit | None
    counts: bool  # False: not counted toward the case's limit (hearing, expert review: art. 45)


@dataclass(frozen=True)
class CorrectionRecord:
    requested_at: datetime
    answered_at: datetime | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class ApprovalRecord:
    case_number: str
    matter_code: str
    matter_name: str
    matter_basis: str
    legal_limit: Limit
    promised_limit: Limit | None
    required_steps: tuple[str, ...]
    extension_days: int
    region_code: str
    department_name: str
    department_code: str
    applicant_name: str
    applicant_kind: str
    applicant_code: str
    legal_representative: str
    controller: str
    received_at: datetime
    accepted_at: datetime | None
    decided_at: datetime | None
    outcome: str
    steps: tuple[StepRecord, ...]
    corrections: tuple[CorrectionRecord, ...]

    @property
    def excluded_periods(self) -> list[tuple[datetime, datetime]]:
        """Time not counted toward limits: waiting for corrections, and steps outside the count (art. 45)."""
        periods = [(c.requested_at, c.answered_at) for c in self.corrections if c.answered_at]
        periods += [
            (s.started_at, s.finished_at) for s in self.steps if not s.counts and s.started_at and s.finished_at
        ]
        return [(start, end) for start, end in periods if end > start]


def local(moment: datetime) -> datetime:
    return moment.astimezone(CHINA)


def local_date(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def _text(raw: dict, key: str, field: str, *, required: bool = True, max_length: int = 200) -> str:
    value = raw.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise ApprovalRecordError(field, "expected text")
    value = str(value).strip()
    if required and not value:
        raise ApprovalRecordError(field, "required")
    if len(value) > max_length:
        raise ApprovalRecordError(field, f"at most {max_length} characters")
    return value


def _moment(raw: dict, key: str, field: str, *, required: bool = False) -> datetime | None:
    value = raw.get(key)
    if value in (None, ""):
        if required:
            raise ApprovalRecordError(field, "required")
        return None
    if not isinstance(value, str):
        raise ApprovalRecordError(field, "expected an ISO 8601 date and time")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ApprovalRecordError(field, f"not an ISO 8601 date and time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    if not in_range(moment):
        raise ApprovalRecordError(field, f"out of range ({DATE_RANGE})")
    return moment


def _limit(raw: Any, field: str, *, required: bool) -> Limit | None:
    if raw in (None, {}):
        if required:
            raise ApprovalRecordError(field, "required")
        return None
    if not isinstance(raw, dict):
        raise ApprovalRecordError(field, 'expected {"days": n, "unit": "working" | "natural"}')
    days, unit = raw.get("days"), raw.get("unit", "working")
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 3650:
        raise ApprovalRecordError(f"{field}.days", "expected a whole number of days from 0 to 3650")
    if unit not in UNITS:
        raise ApprovalRecordError(f"{field}.unit", "expected working or natural")
    return Limit(days=days, unit=unit)


def _object(raw: dict, key: str) -> dict:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise ApprovalRecordError(key, "expected an object")
    return value


def _steps(raw: Any) -> tuple[StepRecord, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_STEPS:
        raise ApprovalRecordError("steps", f"expected a list of at most {MAX_STEPS} steps")
    steps, seen = [], set()
    for index, item in enumerate(raw):
        field = f"steps[{index}]"
        if not isinstance(item, dict):
            raise ApprovalRecordError(field, "expected an object")
        sequence = item.get("sequence", index + 1)
        if not isinstance(sequence, int) or isinstance(sequence, bool) or not 0 < sequence < 1000:
            raise ApprovalRecordError(f"{field}.sequence", "expected a whole number from 1 to 999")
        if sequence in seen:
            raise ApprovalRecordError(f"{field}.sequence", f"sequence {sequence} appears twice")
        seen.add(sequence)
        started = _moment(item, "started_at", f"{field}.started_at")
        finished = _moment(item, "finished_at", f"{field}.finished_at")
        if started and finished and finished < started:
            raise ApprovalRecordError(f"{field}.finished_at", "before the step started")
        counts = item.get("counts", True)
        if not isinstance(counts, bool):
            raise ApprovalRecordError(f"{field}.counts", "expected true or false")
        steps.append(
            StepRecord(
                sequence=sequence,
                name=_text(item, "name", f"{field}.name", max_length=40),
                handler=_text(item, "handler", f"{field}.handler", required=False, max_length=60),
                department=_text(item, "department", f"{field}.department", required=False),
                started_at=started,
                finished_at=finished,
                limit=_limit(item.get("limit"), f"{field}.limit", required=False),
                counts=counts,
            )
        )
    return tuple(sorted(steps, key=lambda s: s.sequence))


def _corrections(raw: Any) -> tuple[CorrectionRecord, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_CORRECTIONS:
        raise ApprovalRecordError("corrections", f"expected a list of at most {MAX_CORRECTIONS} requests")
    corrections = []
    for index, item in enumerate(raw):
        field = f"corrections[{index}]"
        if not isinstance(item, dict):
            raise ApprovalRecordError(field, "expected an object")
        requested = _moment(item, "requested_at", f"{field}.requested_at", required=True)
        answered = _moment(item, "answered_at", f"{field}.answered_at")
        if answered and answered < requested:
            raise ApprovalRecordError(f"{field}.answered_at", "before the request")
        items = item.get("items") or []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ApprovalRecordError(f"{field}.items", "expected a list of texts")
        corrections.append(CorrectionRecord(requested, answered, tuple(i[:200] for i in items[:50])))
    return tuple(sorted(corrections, key=lambda c: c.requested_at))


def parse_approval_record(raw: Any) -> ApprovalRecord:
    """Check and read one case record; raises ApprovalRecordError naming the field at fault."""
    if not isinstance(raw, dict):
        raise ApprovalRecordError("__all__", "expected a JSON object")
    if (where := nul_at(raw)) is not None:
        raise ApprovalRecordError(where, "contains a NUL character")
    case_number = _text(raw, "case_number", "case_number", max_length=50)
    if not CASE_NUMBER.match(case_number):
        raise ApprovalRecordError("case_number", "letters, digits and - _ / . only")
    matter = _object(raw, "matter")
    department = _object(raw, "department")
    applicant = _object(raw, "applicant")
    region = _text(raw, "region", "region", max_length=6)
    if not re.fullmatch(r"\d{6}", region):
        raise ApprovalRecordError("region", "expected a six-digit administrative division code")
    kind = applicant.get("kind", "org")
    if kind not in KINDS:
        raise ApprovalRecordError("applicant.kind", "expected org or person")
    outcome = raw.get("outcome", "pending")
    if outcome not in OUTCOMES:
        raise ApprovalRecordError("outcome", f"expected one of {', '.join(OUTCOMES)}")
    extension = raw.get("extension_days", 0) or 0
    if not isinstance(extension, int) or isinstance(extension, bool) or not 0 <= extension <= 365:
        raise ApprovalRecordError("extension_days", "expected a whole number of days from 0 to 365")
    required = matter.get("required_steps") or []
    if not isinstance(required, list) or not all(isinstance(s, str) for s in required):
        raise ApprovalRecordError("matter.required_steps", "expected a list of step names")
    received = _moment(raw, "received_at", "received_at", required=True)
    accepted = _moment(raw, "accepted_at", "accepted_at")
    decided = _moment(raw, "decided_at", "decided_at")
    if accepted and accepted < received:
        raise ApprovalRecordError("accepted_at", "before the application was received")
    if decided and decided < (accepted or received):
        raise ApprovalRecordError("decided_at", "before the application was accepted")
    if outcome in ("approved", "refused") and decided is None:
        raise ApprovalRecordError("decided_at", "required when the outcome is a decision")
    return ApprovalRecord(
        case_number=case_number,
        matter_code=_text(matter, "code", "matter.code", max_length=40),
        matter_name=_text(matter, "name", "matter.name", max_length=120),
        matter_basis=_text(matter, "basis", "matter.basis", required=False, max_length=300),
        legal_limit=_limit(matter.get("legal_limit"), "matter.legal_limit", required=True),
        promised_limit=_limit(matter.get("promised_limit"), "matter.promised_limit", required=False),
        required_steps=tuple(s.strip() for s in required if s.strip()),
        extension_days=extension,
        region_code=region,
        department_name=_text(department, "name", "department.name"),
        department_code=_text(department, "credit_code", "department.credit_code", required=False, max_length=18),
        applicant_name=_text(applicant, "name", "applicant.name"),
        applicant_kind=kind,
        applicant_code=_text(applicant, "credit_code", "applicant.credit_code", required=False, max_length=18),
        legal_representative=_text(
            applicant, "legal_representative", "applicant.legal_representative", required=False, max_length=60
        ),
        controller=_text(applicant, "controller", "applicant.controller", required=False, max_length=60),
        received_at=received,
        accepted_at=accepted,
        decided_at=decided,
        outcome=outcome,
        steps=_steps(raw.get("steps")),
        corrections=_corrections(raw.get("corrections")),
    )


def approval_record_schema() -> dict:
    """The record format as a JSON schema (for the API's documentation), with the limits checked above."""

    def text(max_length: int, description: str = "", **extra) -> dict:
        return {"type": "string", "maxLength": max_length, "description": description, **extra}

    def moment(description: str) -> dict:
        return {
            "type": ["string", "null"],
            "format": "date-time",
            "description": f"{description}; ISO 8601, China time without an offset; {DATE_RANGE}",
        }

    limit = {
        "type": "object",
        "required": ["days"],
        "properties": {
            "days": {"type": "integer", "minimum": 0, "maximum": 3650},
            "unit": {"enum": list(UNITS), "default": "working"},
        },
    }
    step = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "sequence": {"type": "integer", "minimum": 1, "maximum": 999, "description": "unique within the case"},
            "name": text(40, "受理, 审查, 决定, 送达…", minLength=1),
            "handler": text(60),
            "department": text(200),
            "started_at": moment("started"),
            "finished_at": moment("finished, not before started"),
            "limit": limit,
            "counts": {"type": "boolean", "description": "false: not counted toward the limit (art. 45)"},
        },
    }
    correction = {
        "type": "object",
        "required": ["requested_at"],
        "properties": {
            "requested_at": moment("requested"),
            "answered_at": moment("answered, not before requested"),
            "items": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "type": "object",
        "title": "ApprovalCase",
        "description": "One case; keys starting with _ are ignored.",
        "required": ["case_number", "matter", "region", "department", "applicant", "received_at"],
        "properties": {
            "case_number": text(50, pattern=CASE_NUMBER.pattern),
            "matter": {
                "type": "object",
                "required": ["code", "name", "legal_limit"],
                "properties": {
                    "code": text(40, minLength=1),
                    "name": text(120, minLength=1),
                    "basis": text(300),
                    "legal_limit": limit,
                    "promised_limit": limit,
                    "required_steps": {"type": "array", "items": {"type": "string"}},
                },
            },
            "extension_days": {"type": "integer", "minimum": 0, "maximum": 365},
            "region": text(6, "six-digit GB/T 2260 code", pattern=r"^[0-9]{6}$"),
            "department": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": text(200, minLength=1), "credit_code": text(18)},
            },
            "applicant": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": text(200, minLength=1),
                    "kind": {"enum": list(KINDS), "default": "org"},
                    "credit_code": text(18),
                    "legal_representative": text(60),
                    "controller": text(60),
                },
            },
            "received_at": moment("received") | {"type": "string"},
            "accepted_at": moment("accepted, not before received"),
            "decided_at": moment("decided, not before accepted; required for approved or refused"),
            "outcome": {"enum": list(OUTCOMES), "default": "pending"},
            "steps": {"type": "array", "items": step, "maxItems": MAX_STEPS},
            "corrections": {"type": "array", "items": correction, "maxItems": MAX_CORRECTIONS},
        },
    }
