"""Reads for approval cases: what an inspector may see, a case's timeline, an entity's cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from accounts.roles import Role, has_role
from core.jurisdiction import in_jurisdiction
from monitoring.approvals.models import ApprovalCase
from monitoring.approvals.records import parse_approval_record
from monitoring.approvals.rules import elapsed_days
from monitoring.models import Entity
from workdays.calendar import WorkingCalendar


def cases_for(user) -> QuerySet[ApprovalCase]:
    """The cases in the user's jurisdiction (the same rule as `monitoring.services.alerts_for`)."""
    if not getattr(user, "is_authenticated", False) or not (user.is_superuser or has_role(user, Role.INSPECTOR)):
        return ApprovalCase.objects.none()
    return in_jurisdiction(
        ApprovalCase.objects.select_related("matter", "region", "department", "applicant", "source"), user
    )


def entity_cases(entity: Entity, cases: QuerySet[ApprovalCase], limit: int = 50) -> dict[str, list[ApprovalCase]]:
    """The cases where the entity is the approving department, the applicant, or a step's handler."""
    return {
        "department": list(cases.filter(department=entity).order_by("-order_at", "pk")[:limit]),
        "applicant": list(cases.filter(applicant=entity).order_by("-order_at", "pk")[:limit]),
        "handler": list(cases.filter(steps__handler=entity).distinct().order_by("-order_at", "pk")[:limit]),
    }


@dataclass(frozen=True)
class TimelineRow:
    sequence: int
    name: str
    handler: Entity | None
    started_at: datetime | None
    finished_at: datetime | None
    limit_days: int | None
    limit_unit: str
    elapsed_days: int | None
    counts: bool

    @property
    def overdue(self) -> bool:
        if not self.counts or self.limit_days is None or self.elapsed_days is None:
            return False
        return self.elapsed_days > self.limit_days


@dataclass(frozen=True)
class Clock:
    elapsed_days: int
    limit_days: int
    unit: str

    @property
    def overdue(self) -> bool:
        return self.elapsed_days > self.limit_days


def timeline(case: ApprovalCase, calendar: WorkingCalendar) -> tuple[list[TimelineRow], Clock | None, Clock | None]:
    """The steps with the days each took against its limit, and the case's legal and promised clocks."""
    record = parse_approval_record(case.raw)
    excluded = record.excluded_periods
    rows = []
    for step in case.steps.select_related("handler"):
        elapsed = None
        if step.started_at and step.finished_at and step.counts_toward_limit:
            elapsed = elapsed_days(step.started_at, step.finished_at, step.limit_unit, calendar, excluded)
        rows.append(
            TimelineRow(
                sequence=step.sequence,
                name=step.name,
                handler=step.handler,
                started_at=step.started_at,
                finished_at=step.finished_at,
                limit_days=step.limit_days,
                limit_unit=step.limit_unit,
                elapsed_days=elapsed,
                counts=step.counts_toward_limit,
            )
        )
    legal = promised = None
    if case.accepted_at and case.decided_at:
        legal = Clock(
            elapsed_days(case.accepted_at, case.decided_at, case.legal_limit_unit, calendar, excluded),
            case.legal_limit_days + case.extension_days,
            case.legal_limit_unit,
        )
        if case.promised_limit_days is not None:
            promised = Clock(
                elapsed_days(case.accepted_at, case.decided_at, case.promised_limit_unit, calendar, excluded),
                case.promised_limit_days,
                case.promised_limit_unit,
            )
    return rows, legal, promised
