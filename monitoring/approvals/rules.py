"""Administrative approval rules (DOMAIN §3), over `monitoring.approvals.records.ApprovalRecord`.

Pure: a record and its context (today, the working-day calendar, the population so far) go in, a
Finding with its evidence comes out. The population a case is compared with is the cases that entered
the record before it (decided earlier; `order_at`), so the check on arrival and the batch re-evaluation
give the same answer when source systems send cases as they conclude.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.identifiers import normalise_name
from monitoring.approvals.records import CHINA, ApprovalRecord, local, local_date
from monitoring.rules.base import Context, Rule
from monitoring.stats import log_fence_evidence, tukey_fences
from workdays.calendar import WorkingCalendar

LICENSING_LAW = "中华人民共和国行政许可法"
# The usual order of the steps; names outside it are kept but not judged for order.
STEP_ORDER = ("受理", "审查", "现场核查", "听证", "专家评审", "技术评估", "检验检测", "决定", "送达")
MANDATORY_STEPS = ("受理", "审查", "决定")
REVIEW_STEPS = ("审查",)  # whose handler weighs the application: judged for related applicants
FLOOR_HOURS = 0.05  # three minutes: the log of a zero duration is not a number
OFFICE_HOURS = (8, 18)  # generous office hours (China time) for measuring how long a case took


@dataclass(frozen=True)
class RelatedCase:
    """An earlier case whose applicant is this applicant or shares a controlling person with it."""

    case_number: str
    applicant: str  # a key for the applicant (credit code or normalised name)
    shared: tuple[str, ...]  # the persons in common (normalised names); empty for the same applicant
    review_handlers: frozenset[str]


@dataclass(frozen=True)
class ApprovalContext(Context):
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    related: Sequence[RelatedCase] = field(default_factory=tuple)


# --- arithmetic shared by the rules, the services and the measurement ---------------------------------


def _days(start: date, end: date) -> set[date]:
    """The days after `start` up to and including `end` (the first day is not counted, as for any limit)."""
    return {start + timedelta(days=i) for i in range(1, (end - start).days + 1)}


def elapsed_days(
    start: datetime,
    end: datetime,
    unit: str,
    calendar: WorkingCalendar,
    excluded: Iterable[tuple[datetime, datetime]] = (),
) -> int:
    """Days from `start` to `end` in `unit` (working or natural), leaving out the days of excluded periods.

    A limit "within N days" counts from the day after the start (民法典 art. 201); a period not counted
    (waiting for corrections, a hearing or an expert review) gives back the days after its start up to its end.
    """
    days = _days(local_date(start), local_date(end))
    for period_start, period_end in excluded:
        days -= _days(local_date(period_start), local_date(period_end))
    if unit == "working":
        return sum(1 for day in days if calendar.is_working_day(day))
    return len(days)


def _merged(periods: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def working_hours(start: datetime, end: datetime, calendar: WorkingCalendar) -> float:
    """Hours of [start, end] inside office hours (OFFICE_HOURS, China time) on working days."""
    start, end = local(start), local(end)
    total, day = 0.0, start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            opens = datetime.combine(day, time(OFFICE_HOURS[0]), tzinfo=CHINA)
            closes = datetime.combine(day, time(OFFICE_HOURS[1]), tzinfo=CHINA)
            total += max((min(end, closes) - max(start, opens)).total_seconds(), 0)
        day += timedelta(days=1)
    return total / 3600


def processing_hours(record: ApprovalRecord, calendar: WorkingCalendar) -> float | None:
    """Office hours from acceptance to decision, without the periods not counted; None while undecided.

    Office hours rather than clock hours: a case decided across a night or a weekend is not slower than
    one decided within a day, and log clock hours would be bimodal.
    """
    start, end = record.accepted_at or record.received_at, record.decided_at
    if end is None:
        return None
    pieces = [(start, end)]
    for a, b in _merged(record.excluded_periods):
        pieces = [part for s, e in pieces for part in ((s, min(e, a)), (max(s, b), e)) if part[1] > part[0]]
    return sum(working_hours(s, e, calendar) for s, e in pieces)


def order_at(record: ApprovalRecord) -> datetime:
    """When a case joins the populations: its decision, or its receipt while undecided."""
    return record.decided_at or record.received_at


def person_keys(record: ApprovalRecord) -> frozenset[str]:
    return frozenset(
        key for key in (normalise_name(record.legal_representative), normalise_name(record.controller)) if key
    )


def applicant_key(record: ApprovalRecord) -> str:
    return record.applicant_code.upper() or "name:" + normalise_name(record.applicant_name)


def handler_key(department: str, handler: str) -> str:
    return f"{normalise_name(department)}/{normalise_name(handler)}"


def review_handlers(record: ApprovalRecord) -> frozenset[str]:
    return frozenset(
        handler_key(step.department or record.department_name, step.handler)
        for step in record.steps
        if step.name in REVIEW_STEPS and step.handler
    )


def related_case(this: ApprovalRecord, other: ApprovalRecord) -> RelatedCase | None:
    """`other` as a related case of `this` (same applicant, or a shared controlling person), else None."""
    if other.case_number == this.case_number:
        return None
    same = applicant_key(other) == applicant_key(this)
    shared = tuple(sorted(person_keys(this) & person_keys(other)))
    if not same and not shared:
        return None
    return RelatedCase(
        case_number=other.case_number,
        applicant=applicant_key(other),
        shared=() if same else shared,
        review_handlers=review_handlers(other),
    )


def _end_of(record: ApprovalRecord, context: Context) -> datetime | None:
    """Where the case's clock stops: the decision, or today while the case is still open."""
    if record.decided_at is not None:
        return record.decided_at
    if context.today is None or record.outcome != "pending":
        return None
    today = context.today if isinstance(context.today, date) else date.fromisoformat(str(context.today))
    return datetime.combine(today, datetime.max.time(), tzinfo=record.received_at.tzinfo)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# --- the rules --------------------------------------------------------------------------------------------


class _LimitRule(Rule):
    domain = "approval"

    def _limit(self, record: ApprovalRecord):
        raise NotImplementedError

    def evaluate(self, record: ApprovalRecord, context: Context, params: dict[str, Any], severity: str):
        limit = self._limit(record)
        end = _end_of(record, context)
        if limit is None or record.accepted_at is None or end is None:
            return None
        days, unit = limit
        calendar = getattr(context, "calendar", WorkingCalendar())
        elapsed = elapsed_days(record.accepted_at, end, unit, calendar, record.excluded_periods)
        if elapsed <= days:
            return None
        over = elapsed - days
        level = "red" if params.get("red_after_days") is not None and over > params["red_after_days"] else severity
        return self.finding(
            level,
            {
                "elapsed_days": elapsed,
                "limit_days": days,
                "unit": unit,
                "days_over": over,
                "from": _iso(record.accepted_at),
                "to": _iso(end),
                "decided": record.decided_at is not None,
                "excluded_periods": [[_iso(a), _iso(b)] for a, b in record.excluded_periods],
                "matter": record.matter_name,
                "basis": self.basis_for(record),
            },
        )

    def basis_for(self, record: ApprovalRecord) -> str:
        return self.basis


class OverdueLegalLimit(_LimitRule):
    code = "A001"
    title = _("Decided after the legal time limit")
    description = _(
        "The decision came after the legal time limit of the matter (with any approved extension), counted in "
        "working or natural days as the matter's law says, from acceptance, leaving out waiting for corrections "
        "and hearings, expert reviews and tests. Red when over by more than the set number of days."
    )
    basis = f"{LICENSING_LAW}第四十二条、第四十五条、第八十二条"
    default_severity = "yellow"
    default_params = {"red_after_days": 5}

    def _limit(self, record: ApprovalRecord):
        return record.legal_limit.days + record.extension_days, record.legal_limit.unit

    def basis_for(self, record: ApprovalRecord) -> str:
        return record.matter_basis or self.basis


class OverduePromisedLimit(_LimitRule):
    code = "A002"
    title = _("Decided after the promised time limit")
    description = _(
        "The decision came after the time limit the government promised for the matter (承诺时限), which is "
        "shorter than the legal one; counted like the legal limit."
    )
    basis = "政务服务承诺时限（《优化营商环境条例》第三十五条、第三十八条）"
    default_severity = "blue"

    def _limit(self, record: ApprovalRecord):
        if record.promised_limit is None:
            return None
        return record.promised_limit.days, record.promised_limit.unit


class StepOverdue(Rule):
    code = "A003"
    domain = "approval"
    title = _("A step took longer than its time limit")
    description = _(
        "One or more steps of the procedure took longer than the step's own limit, even where the case as a "
        "whole was decided in time. Time waiting for the applicant's corrections is not counted."
    )
    basis = "审批环节时限（各地政务服务事项办事指南）"
    default_severity = "blue"

    def evaluate(self, record: ApprovalRecord, context: Context, params: dict[str, Any], severity: str):
        calendar = getattr(context, "calendar", WorkingCalendar())
        overdue = []
        for step in record.steps:
            if step.limit is None or step.started_at is None or not step.counts:
                continue
            end = step.finished_at or (_end_of(record, context) if record.outcome == "pending" else None)
            if end is None:
                continue
            elapsed = elapsed_days(step.started_at, end, step.limit.unit, calendar, record.excluded_periods)
            if elapsed > step.limit.days:
                overdue.append(
                    {
                        "sequence": step.sequence,
                        "step": step.name,
                        "handler": step.handler,
                        "elapsed_days": elapsed,
                        "limit_days": step.limit.days,
                        "unit": step.limit.unit,
                        "started": _iso(step.started_at),
                        "finished": _iso(step.finished_at),
                    }
                )
        if not overdue:
            return None
        worst = max(overdue, key=lambda s: s["elapsed_days"] - s["limit_days"])
        return self.finding(severity, {"steps": overdue, "worst": worst["step"], "handler": worst["handler"]})


class RepeatedCorrections(Rule):
    code = "A004"
    domain = "approval"
    title = _("More than one correction request")
    description = _(
        "The applicant must be told everything missing at once; asking again and again for more material "
        "delays the case and is a known way to solicit favours."
    )
    basis = f"{LICENSING_LAW}第三十二条第一款第（四）项"
    default_severity = "yellow"
    default_params = {"max_requests": 1}

    def evaluate(self, record: ApprovalRecord, context: Context, params: dict[str, Any], severity: str):
        if len(record.corrections) <= params["max_requests"]:
            return None
        return self.finding(
            severity,
            {
                "requests": len(record.corrections),
                "threshold": params["max_requests"],
                "requested": [_iso(c.requested_at) for c in record.corrections],
                "answered": [_iso(c.answered_at) for c in record.corrections],
                "basis": self.basis,
            },
        )


class LateCorrectionRequest(Rule):
    code = "A005"
    domain = "approval"
    title = _("Corrections requested after the five-day limit")
    description = _(
        "Missing material must be asked for within five working days of receipt; asked later, the application "
        "counts as accepted on the day it was received."
    )
    basis = f"{LICENSING_LAW}第三十二条第一款第（四）项、第八十二条"
    default_severity = "yellow"
    default_params = {"max_working_days": 5}

    def evaluate(self, record: ApprovalRecord, context: Context, params: dict[str, Any], severity: str):
        if not record.corrections:
            return None
        calendar = getattr(context, "calendar", WorkingCalendar())
        first = record.corrections[0].requested_at
        elapsed = elapsed_days(record.received_at, first, "working", calendar)
        if elapsed <= params["max_working_days"]:
            return None
        return self.finding(
            severity,
            {
                "received": _iso(record.received_at),
                "first_request": _iso(first),
                "elapsed_working_days": elapsed,
                "limit_working_days": params["max_working_days"],
                "basis": self.basis,
            },
        )


class AbnormallyFast(Rule):
    code = "A006"
    domain = "approval"
    title = _("Decided abnormally fast")
    description = _(
        "Office hours from acceptance to decision far below those of the same matter's cases decided before it "
        "(below the first quartile minus k times the interquartile range of their logarithms): a rubber stamp, or a "
        "backdated record. No judgement below the minimum population, or when the middle half of the cases took "
        "the same time."
    )
    basis = "审批时长异常（电子监察实践）"
    default_severity = "yellow"
    default_params = {"k": 2.0, "min_peers": 30}
    needs_peers = True

    def evaluate(self, record: ApprovalRecord, context: Context, params: dict[str, Any], severity: str):
        hours = processing_hours(record, getattr(context, "calendar", WorkingCalendar()))
        if hours is None or record.outcome != "approved":
            return None
        logs = [math.log(max(peer, FLOOR_HOURS)) for peer in context.peers]
        fences = tukey_fences(logs, k=params["k"], min_n=int(params["min_peers"]))
        value = math.log(max(hours, FLOOR_HOURS))
        if fences is None or value >= fences.lower:
            return None
        return self.finding(
            severity,
            {
                "hours": round(hours, 2),
                "fence": log_fence_evidence(fences, unit="hours", scale="log office hours", k=params["k"]),
                "population": {"scope": context.peer_scope, "n": fences.n},
            },
        )


class StepsOutOfOrder(Rule):
    code = "A007"
    domain = "approval"
    title = _("Steps out of order or missing")
    description = _(
        "A decided case lacks a mandatory step (acceptance, review, decision, service, or a step the matter "
        "requires such as an on-site inspection), or its steps were recorded out of their order: a later step "
        "started before the one before it finished."
    )
    basis = f"{LICENSING_LAW}第三十二条、第三十四条、第三十七条、第四十四条"
    default_severity = "yellow"
    default_params = {"tolerance_minutes": 0}

    def evaluate(self, record: ApprovalRecord, context: Context, params: dict[str, Any], severity: str):
        problems: list[dict[str, Any]] = []
        names = [step.name for step in record.steps]
        if record.outcome in ("approved", "refused"):
            required = list(dict.fromkeys((*MANDATORY_STEPS, *record.required_steps, "送达")))
            missing = [name for name in required if name not in names]
            if missing:
                problems.append({"problem": "missing", "steps": missing})
        ranked = [(step, STEP_ORDER.index(step.name)) for step in record.steps if step.name in STEP_ORDER]
        for (before, rank_before), (after, rank_after) in zip(ranked, ranked[1:], strict=False):
            if rank_after < rank_before:
                problems.append({"problem": "order", "steps": [before.name, after.name]})
        tolerance = timedelta(minutes=params["tolerance_minutes"])
        for before, after in zip(record.steps, record.steps[1:], strict=False):
            if before.finished_at and after.started_at and after.started_at + tolerance < before.finished_at:
                problems.append(
                    {
                        "problem": "overlap",
                        "steps": [before.name, after.name],
                        "finished": _iso(before.finished_at),
                        "next_started": _iso(after.started_at),
                    }
                )
        if not problems:
            return None
        return self.finding(severity, {"problems": problems, "recorded_steps": names})


class SameHandlerForRelatedApplicants(Rule):
    code = "A008"
    domain = "approval"
    title = _("The same officer reviews related applicants")
    description = _(
        "The officer who reviewed this case reviewed at least the set number of earlier cases of this applicant "
        "or of applicants sharing its legal representative or controlling person, with at least two different "
        "applicants among them: a sign of steering cases to a chosen officer."
    )
    basis = f"{LICENSING_LAW}第四十八条；公务员回避（《公务员法》第七十六条）"
    default_severity = "yellow"
    default_params = {"min_cases": 2}

    def evaluate(self, record: ApprovalRecord, context: Context, params: dict[str, Any], severity: str):
        related = getattr(context, "related", ())
        this_applicant = applicant_key(record)
        for handler in sorted(review_handlers(record)):
            matches = [case for case in related if handler in case.review_handlers]
            applicants = {case.applicant for case in matches} | {this_applicant}
            if len(matches) < params["min_cases"] or len(applicants) < 2:
                continue
            shared = sorted({person for case in matches for person in case.shared})
            return self.finding(
                severity,
                {
                    "handler": handler.split("/", 1)[1],
                    "department": record.department_name,
                    "related_cases": [case.case_number for case in matches][:20],
                    "related_cases_n": len(matches),
                    "applicants_n": len(applicants),
                    "shared_persons": shared,
                    "threshold": params["min_cases"],
                    "population": {"related_cases_before": len(related)},
                },
            )
        return None


APPROVAL_RULES: list[Rule] = [
    OverdueLegalLimit(),
    OverduePromisedLimit(),
    StepOverdue(),
    RepeatedCorrections(),
    LateCorrectionRequest(),
    AbnormallyFast(),
    StepsOutOfOrder(),
    SameHandlerForRelatedApplicants(),
]
RULES_BY_CODE = {rule.code: rule for rule in APPROVAL_RULES}
