"""One monitoring pipeline for every domain: `ingest(adapter, records)` → `evaluate(rules, record, population)` →
`raise_alert`.

This module is the loop and its vocabulary; it holds no ORM and names no domain. A domain (land, procurement,
approvals, each a folder of `monitoring/`) supplies an adapter (`DomainAdapter`): how to read a raw record
(`parse`, pure), store it (`store`), what the rules compare it with (`population`), whom an alert is about
(`target`), and the unit of work a record is written in (`atomic`). The alert loop (`monitoring.services`)
supplies `raise_alert` through the adapter, so an alert exists once per rule and record whatever the path.

    for each raw record, in its own transaction (a bad record is reported, the good ones are kept):
        record  = adapter.parse(raw)                       # IngestError names the field at fault
        stored  = adapter.store(record, raw)               # upsert: created, updated or unchanged
        if the rules should look at it (judge):
            population = adapter.population(stored)        # the rules' context: peers, history, today
            for finding in evaluate(adapter.rules, stored.record, population, configs):
                adapter.raise_alert(stored, finding)       # once per rule and record
    then, in one transaction, adapter.finish(arrived)      # what needs the whole batch (Cardinal's fences)

Errors come back in one shape for every domain and endpoint: `{"[index].field": [message, ...]}`, the field
being `__all__` when the record as a whole is at fault (`IngestReport.errors`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from monitoring.rules.base import Finding, Rule

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
WHOLE_RECORD = "__all__"


class IngestError(ValueError):
    """A record that cannot be read or stored; `field` names the part at fault (`__all__`: the whole record)."""

    def __init__(self, message: str, *, field: str = WHOLE_RECORD) -> None:
        super().__init__(message)
        self.field = field or WHOLE_RECORD
        self.message = message


def error_key(index: int, field: str) -> str:
    """Where an error is reported: `[index].field`, the one key format of every ingest answer."""
    return f"[{index}].{field or WHOLE_RECORD}"


# --- rules -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleConfig:
    """A rule's settings as the administrators left them: on or off, severity, parameters (defaults + overrides)."""

    enabled: bool
    severity: str
    params: dict

    @classmethod
    def default(cls, rule: Rule) -> RuleConfig:
        return cls(enabled=True, severity=rule.default_severity, params=dict(rule.default_params))

    @classmethod
    def of(cls, rule: Rule, *, enabled: bool = True, severity: str = "", params: Mapping | None = None) -> RuleConfig:
        """The rule's defaults with a stored setting's overrides (an empty severity is the rule's own)."""
        return cls(
            enabled=enabled,
            severity=severity or rule.default_severity,
            params={**rule.default_params, **(params or {})},
        )


Configs = Mapping[str, RuleConfig]


@runtime_checkable
class Population(Protocol):
    """A population that gives each rule its context for the rule's parameters (land: peers by `min_peers`).

    Any other value passed as a population is the context itself, the same for every rule.
    """

    def context_for(self, rule: Rule, params: dict[str, Any]) -> Any: ...


def evaluate(rules: Iterable[Rule], record: Any, population: Any, configs: Configs | None = None) -> list[Finding]:
    """Every enabled rule on one record against its population; the findings in the rules' order. Pure."""
    findings = []
    for rule in rules:
        config = (configs or {}).get(rule.code) or RuleConfig.default(rule)
        if not config.enabled:
            continue
        context = population.context_for(rule, config.params) if isinstance(population, Population) else population
        finding = rule.evaluate(record, context, config.params, config.severity)
        if finding is not None:
            findings.append(finding)
    return findings


# --- ingest ----------------------------------------------------------------------------------------------


@dataclass
class Stored:
    """A record after `store`: the domain's row (`item`), the record the rules read, and what happened to it."""

    item: Any
    record: Any
    status: str  # created, updated or unchanged
    key: str  # the record's id in its source (电子监管号, ocid, case number)
    alerts: list = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # domain facts for the answer (a release's field problems)

    @property
    def created(self) -> bool:
        return self.status == CREATED


class DomainAdapter(Protocol):
    """What a domain supplies to the pipeline. Only `store`, `population`, `raise_alert`, `finish` and `atomic`
    touch the database; `parse` and the rules are pure."""

    # Read-only to the pipeline: an adapter may hold them as class attributes of narrower types.
    @property
    def domain(self) -> str: ...

    @property
    def rules(self) -> Sequence[Rule]: ...

    evaluates_unchanged: ClassVar[bool]  # whether a record sent again unchanged is judged again

    def configs(self) -> Configs: ...

    def parse(self, raw: Any) -> Any: ...

    def store(self, record: Any, raw: Any) -> Stored: ...

    def population(self, stored: Stored) -> Any: ...

    def raise_alert(self, stored: Stored, finding: Finding) -> Any: ...

    def finish(self, arrived: list[Stored]) -> list: ...

    def atomic(self) -> AbstractContextManager: ...

    def rolled_back(self) -> None: ...


@dataclass
class IngestReport:
    """What one `ingest` did: the records stored, in order, the errors by `[index].field`, and batch alerts."""

    stored: list[Stored] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    alerts: list = field(default_factory=list)  # every alert raised, including those of `finish`

    def add_error(self, index: int, error: IngestError) -> None:
        self.errors.setdefault(error_key(index, error.field), []).append(error.message)


def judge(adapter: DomainAdapter, stored: Stored, configs: Configs, population: Any = None) -> list:
    """The rules on a stored record against its population (the adapter's, unless a batch passes its own);
    each finding raised as an alert, once per rule and record. Returns the new alerts."""
    if population is None:
        population = adapter.population(stored)
    raised = []
    for finding in evaluate(adapter.rules, stored.record, population, configs):
        alert = adapter.raise_alert(stored, finding)
        if alert is not None:
            raised.append(alert)
    return raised


def ingest_record(adapter: DomainAdapter, raw: Any, configs: Configs) -> Stored:
    """One record through the pipeline, in the adapter's unit of work: parse, store, evaluate, raise alerts.

    Raises IngestError (and writes nothing) when the record cannot be read or stored.
    """
    record = adapter.parse(raw)
    try:
        with adapter.atomic():
            stored = adapter.store(record, raw)
            if stored.status != UNCHANGED or adapter.evaluates_unchanged:
                stored.alerts.extend(judge(adapter, stored, configs))
    except Exception:
        adapter.rolled_back()
        raise
    return stored


def ingest(adapter: DomainAdapter, records: Iterable[Any]) -> IngestReport:
    """Every record through the pipeline, each in its own transaction; then the batch's own pass, in one.

    A record that cannot be read or stored is reported under `[index].field` and nothing of it is written;
    the records before and after it are kept (the contract of every ingest endpoint and importer).
    """
    report = IngestReport()
    configs = adapter.configs()
    for index, raw in enumerate(records):
        try:
            stored = ingest_record(adapter, raw, configs)
        except IngestError as error:
            report.add_error(index, error)
            continue
        report.stored.append(stored)
        report.alerts.extend(stored.alerts)
    with adapter.atomic():
        report.alerts.extend(adapter.finish(report.stored))
    return report


def ingest_one(adapter: DomainAdapter, raw: Any) -> Stored:
    """One record, raising IngestError rather than reporting it; the batch pass included."""
    stored = ingest_record(adapter, raw, adapter.configs())
    with adapter.atomic():
        stored.alerts.extend(adapter.finish([stored]))
    return stored
