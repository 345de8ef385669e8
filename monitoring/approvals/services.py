"""Writes for approval cases: the pipeline's adapter (upsert a case with its steps and corrections, evaluate
the rules on it) and the batch re-evaluation.

On arrival a case is compared with the cases that entered the record before it (`order_at`); the batch
re-evaluation compares every case with the same population, read from memory, so both paths give the
same findings, and `raise_alert` keeps one alert per rule and case.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.identifiers import normalise_name
from monitoring.approvals.models import ApprovalCase, CaseStep, CorrectionRequest, Matter, Outcome
from monitoring.approvals.records import ApprovalRecord, ApprovalRecordError, parse_approval_record
from monitoring.approvals.rules import (
    APPROVAL_RULES,
    ApprovalContext,
    RelatedCase,
    applicant_key,
    order_at,
    person_keys,
    processing_hours,
    related_case,
)
from monitoring.models import Alert, Domain, Entity, SourceSystem
from monitoring.pipeline import CREATED, UNCHANGED, UPDATED, Configs, RuleConfig, Stored, ingest_one, judge
from monitoring.rules.base import Finding
from monitoring.services import Adapter, AlertTarget, IngestError, resolve_entity
from monitoring.services import rule_configs as configs_of
from regions.models import Region
from workdays.calendar import WorkingCalendar
from workdays.selectors import working_calendar


class ApprovalIngestError(IngestError):
    """A case record that cannot be stored; `field` names the part at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}", field=field)
        self.message = message  # what the ingest answer shows under `[index].field`


@dataclass(frozen=True)
class Evaluation:
    """What evaluating needs besides the case: the calendar, today, and the rules' settings."""

    calendar: WorkingCalendar
    today: date
    configs: Configs
    # Entities resolved so far in this run (organisations and officers recur from case to case).
    entities: dict = field(default_factory=dict, compare=False, repr=False)


def rule_configs() -> dict[str, RuleConfig]:
    """Every approval rule's settings in one query: enabled, severity, parameters (defaults + overrides)."""
    return configs_of(APPROVAL_RULES)


def current_evaluation(today: date | None = None) -> Evaluation:
    return Evaluation(calendar=working_calendar(), today=today or timezone.localdate(), configs=rule_configs())


def case_ref(source: SourceSystem | None, case_number: str) -> str:
    return f"{source.pk if source else 0}:{case_number}"


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApprovalIngestError("region", f"unknown administrative division {code}")
    return region


def _matter(record: ApprovalRecord) -> Matter:
    values = {
        "name": record.matter_name,
        "legal_limit_days": record.legal_limit.days,
        "legal_limit_unit": record.legal_limit.unit,
        "promised_limit_days": record.promised_limit.days if record.promised_limit else None,
        "promised_limit_unit": record.promised_limit.unit if record.promised_limit else "working",
        "basis": record.matter_basis,
    }
    matter, created = Matter.objects.get_or_create(code=record.matter_code, defaults=values)
    if not created and any(getattr(matter, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(matter, key, value)
        matter.save()
    return matter


def _entity(cache: dict, name: str, code: str = "", kind: str = Entity.Kind.ORGANISATION) -> Entity:
    key = (name, code, kind)
    if key not in cache:
        entity = resolve_entity(name, code, kind)
        if entity is None:  # not reached: names are required by the record format
            raise ApprovalIngestError("applicant.name", "required")
        cache[key] = entity
    return cache[key]


def _person(cache: dict, handler: str, department: str) -> Entity | None:
    """An officer's profile: the name with the department, so two officers of the same name stay apart."""
    if not handler:
        return None
    name = f"{handler}（{department}）"[: Entity._meta.get_field("name").max_length]
    return _entity(cache, name, kind=Entity.Kind.PERSON)


@dataclass(frozen=True)
class _Read:
    record: ApprovalRecord
    raw: dict  # as stored: keys starting with "_" (labels, notes) left out


class ApprovalAdapter(Adapter):
    """Approval cases, upserted by (source, case number); a case sent again unchanged is judged again (its
    alerts are never raised twice). The evaluation (calendar, today, settings) is read once per batch."""

    domain = Domain.APPROVAL
    rules = tuple(APPROVAL_RULES)
    evaluates_unchanged = True

    def __init__(self, source: SourceSystem | None = None, evaluation: Evaluation | None = None) -> None:
        self.source = source
        self.evaluation = evaluation

    def _evaluation(self) -> Evaluation:
        """The rules' settings and caches of this batch, read when first needed."""
        if self.evaluation is None:
            self.evaluation = current_evaluation()
        return self.evaluation

    def configs(self) -> Configs:
        return self._evaluation().configs

    def parse(self, raw: Any) -> _Read:
        if isinstance(raw, dict):
            raw = {key: value for key, value in raw.items() if not str(key).startswith("_")}  # labels, notes
        try:
            return _Read(parse_approval_record(raw), raw)
        except ApprovalRecordError as error:
            raise ApprovalIngestError(error.field, error.message) from error

    def rolled_back(self) -> None:
        if self.evaluation is not None:
            self.evaluation.entities.clear()  # rolled back: entities created for this case no longer exist

    def store(self, read: _Read, raw: Any) -> Stored:
        case, status = _store_case(read.raw, read.record, self.source, self._evaluation())
        return Stored(item=case, record=read.record, status=status, key=case.case_number)

    def population(self, stored: Stored) -> ApprovalContext:
        return approval_context(stored.item, stored.record, self._evaluation())

    def raise_alert(self, stored: Stored, finding: Finding) -> Alert | None:
        return super().raise_alert(stored, _with_case_link(finding, stored.item))

    def target(self, stored: Stored, finding: Finding) -> AlertTarget:
        case: ApprovalCase = stored.item
        return AlertTarget(
            record_ref=case.ref,
            region=case.region,
            entity=_responsible(case, finding),
            subject=f"{case.case_number} {case.matter.name}",
            record={
                "id": case.case_number,
                "case": case.pk,
                "matter": case.matter.name,
                "department": case.department.name,
                "applicant": case.applicant.name,
            },
        )


def ingest_approval(
    raw: dict, *, source: SourceSystem | None = None, evaluation: Evaluation | None = None
) -> tuple[ApprovalCase, str, list[Alert]]:
    """Upsert a case by (source, case number), replace its steps and corrections, evaluate the rules.

    Returns the case, "created", "updated" or "unchanged", and the new alerts. Idempotent: sending the
    same case again changes nothing and raises no alert twice. Nothing of a case that fails is written.
    """
    stored = ingest_one(ApprovalAdapter(source, evaluation or current_evaluation()), raw)
    return stored.item, stored.status, stored.alerts


def _store_case(
    raw: dict, record: ApprovalRecord, source: SourceSystem | None, evaluation: Evaluation
) -> tuple[ApprovalCase, str]:
    region = _region(record.region_code)
    cache = evaluation.entities
    department = _entity(cache, record.department_name, record.department_code)
    applicant = _entity(cache, record.applicant_name, record.applicant_code, record.applicant_kind)
    matter = _matter(record)
    fields = {
        "ref": case_ref(source, record.case_number),
        "matter": matter,
        "department": department,
        "applicant": applicant,
        "legal_representative": record.legal_representative,
        "controller": record.controller,
        "legal_representative_key": normalise_name(record.legal_representative)[:60],
        "controller_key": normalise_name(record.controller)[:60],
        "region": region,
        "received_at": record.received_at,
        "accepted_at": record.accepted_at,
        "decided_at": record.decided_at,
        "outcome": record.outcome,
        "legal_limit_days": record.legal_limit.days,
        "legal_limit_unit": record.legal_limit.unit,
        "extension_days": record.extension_days,
        "promised_limit_days": record.promised_limit.days if record.promised_limit else None,
        "promised_limit_unit": record.promised_limit.unit if record.promised_limit else "working",
        "order_at": order_at(record),
        "processing_hours": processing_hours(record, evaluation.calendar),
        "raw": raw,
    }
    case = ApprovalCase.objects.filter(source=source, case_number=record.case_number).first()
    if case is None:
        status = CREATED
        case = ApprovalCase.objects.create(source=source, case_number=record.case_number, **fields)
        _store_parts(case, record, cache)
    elif case.raw != raw:
        status = UPDATED
        for key, value in fields.items():
            setattr(case, key, value)
        case.save()
        _store_parts(case, record, cache)
    else:
        status = UNCHANGED
    return case, status


def _store_parts(case: ApprovalCase, record: ApprovalRecord, cache: dict) -> None:
    case.steps.all().delete()
    case.corrections.all().delete()
    departments: dict[str, Entity] = {record.department_name: case.department}
    steps = []
    for step in record.steps:
        department_name = step.department or record.department_name
        if department_name not in departments:
            departments[department_name] = _entity(cache, department_name)
        steps.append(
            CaseStep(
                case=case,
                sequence=step.sequence,
                name=step.name,
                handler=_person(cache, step.handler, department_name) if step.counts else None,
                handler_department=departments[department_name],
                started_at=step.started_at,
                finished_at=step.finished_at,
                limit_days=step.limit.days if step.limit else None,
                limit_unit=step.limit.unit if step.limit else "working",
                counts_toward_limit=step.counts,
            )
        )
    CaseStep.objects.bulk_create(steps)
    CorrectionRequest.objects.bulk_create(
        CorrectionRequest(
            case=case, sequence=n, requested_at=c.requested_at, answered_at=c.answered_at, items=list(c.items)
        )
        for n, c in enumerate(record.corrections, start=1)
    )


# --- populations ------------------------------------------------------------------------------------


def peers_from_db(case: ApprovalCase) -> list[float]:
    """Hours of the same matter's approved cases that entered the record before this one."""
    return [
        hours
        for hours in ApprovalCase.objects.filter(
            matter_id=case.matter_id,
            order_at__lt=case.order_at,
            outcome=Outcome.APPROVED,
            processing_hours__isnull=False,
        )
        .exclude(pk=case.pk)
        .values_list("processing_hours", flat=True)
        if hours is not None  # none is: the filter says so, to the type checker too
    ]


def related_from_db(case: ApprovalCase, record: ApprovalRecord) -> list[RelatedCase]:
    """Earlier cases of this applicant or of applicants sharing a legal representative or controller."""
    keys = list(person_keys(record))
    query = Q(applicant_id=case.applicant_id)
    if keys:
        query |= Q(legal_representative_key__in=keys) | Q(controller_key__in=keys)
    candidates = ApprovalCase.objects.filter(query, order_at__lt=case.order_at).exclude(pk=case.pk)
    related = []
    for raw in candidates.order_by("order_at", "pk").values_list("raw", flat=True):
        found = related_case(record, parse_approval_record(raw))
        if found is not None:
            related.append(found)
    return related


def approval_context(
    case: ApprovalCase,
    record: ApprovalRecord,
    evaluation: Evaluation,
    *,
    peers: list[float] | None = None,
    related: list[RelatedCase] | None = None,
) -> ApprovalContext:
    """What the rules compare a case with: the cases before it (read from the database unless given)."""
    return ApprovalContext(
        today=evaluation.today,
        calendar=evaluation.calendar,
        peers=peers_from_db(case) if peers is None else peers,
        peer_scope=f"matter {case.matter.code} · decided before {case.order_at:%Y-%m-%d %H:%M}",
        related=related_from_db(case, record) if related is None else related,
    )


def evaluate_case(
    case: ApprovalCase,
    record: ApprovalRecord,
    evaluation: Evaluation,
    *,
    peers: list[float] | None = None,
    related: list[RelatedCase] | None = None,
) -> list[Alert]:
    """Run the enabled approval rules on a case; raise an alert per finding, once per rule and case."""
    adapter = ApprovalAdapter(None, evaluation)  # the source plays no part in judging a stored case
    stored = Stored(item=case, record=record, status=UPDATED, key=case.case_number)
    context = approval_context(case, record, evaluation, peers=peers, related=related)
    return judge(adapter, stored, evaluation.configs, population=context)


def _with_case_link(finding: Finding, case: ApprovalCase) -> Finding:
    return replace(finding, evidence={**finding.evidence, "case_page": f"/monitoring/approvals/{case.pk}/"})


def _responsible(case: ApprovalCase, finding: Finding) -> Entity:
    """Who the alert is about: the officer for a late step or a steered review, else the department."""
    handler = finding.evidence.get("handler")
    if handler and finding.rule_code in ("A003", "A008"):
        step = case.steps.filter(handler__name__startswith=f"{handler}（").select_related("handler").first()
        if step is not None and step.handler is not None:
            return step.handler
    return case.department


# --- batch -------------------------------------------------------------------------------------------


@dataclass
class _Indexed:
    case: ApprovalCase
    record: ApprovalRecord


class Population:
    """The cases in memory, indexed so each case sees exactly the cases that entered the record before it."""

    def __init__(self, items: Iterable[_Indexed]):
        self.items = sorted(items, key=lambda i: (i.case.order_at, i.case.pk))
        self.hours: dict[int, tuple[list, list[float]]] = defaultdict(lambda: ([], []))
        self.by_applicant: dict[str, list[_Indexed]] = defaultdict(list)
        self.by_person: dict[str, list[_Indexed]] = defaultdict(list)
        for item in self.items:
            case = item.case
            if case.outcome == Outcome.APPROVED and case.processing_hours is not None:
                times, hours = self.hours[case.matter_id]
                times.append(case.order_at)
                hours.append(case.processing_hours)
            self.by_applicant[applicant_key(item.record)].append(item)
            for key in person_keys(item.record):
                self.by_person[key].append(item)

    def peers(self, item: _Indexed) -> list[float]:
        times, hours = self.hours.get(item.case.matter_id, ([], []))
        return hours[: bisect.bisect_left(times, item.case.order_at)]

    def related(self, item: _Indexed) -> list[RelatedCase]:
        candidates = {id(c): c for c in self.by_applicant[applicant_key(item.record)]}
        for key in person_keys(item.record):
            candidates.update({id(c): c for c in self.by_person[key]})
        earlier = sorted(
            (c for c in candidates.values() if c.case.order_at < item.case.order_at and c.case.pk != item.case.pk),
            key=lambda c: (c.case.order_at, c.case.pk),
        )
        return [found for c in earlier if (found := related_case(item.record, c.record)) is not None]


def reevaluate_approvals(*, today: date | None = None, progress=None) -> tuple[int, int]:
    """Batch: every case against the cases before it. Returns (cases, new alerts). Adds no duplicates."""
    evaluation = current_evaluation(today)
    cases = ApprovalCase.objects.select_related("matter", "region", "department", "applicant")
    population = Population(_Indexed(case, parse_approval_record(case.raw)) for case in cases.iterator(chunk_size=500))
    raised = 0
    for number, item in enumerate(population.items, start=1):
        with transaction.atomic():
            raised += len(
                evaluate_case(
                    item.case,
                    item.record,
                    evaluation,
                    peers=population.peers(item),
                    related=population.related(item),
                )
            )
        if progress is not None and number % 500 == 0:
            progress(number, len(population.items))
    return len(population.items), raised
