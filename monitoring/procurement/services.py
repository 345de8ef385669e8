"""Writes for procurement records: the pipeline's adapter (upsert a process by ocid, then its rules' alerts).

On arrival a process is judged against the population stored so far: the buyer's earlier awards for the rules
P101–P104, and the source's running Cardinal population (`monitoring.procurement.population`, updated per
record, never read again whole) for Cardinal's eleven indicators, whose fences are drawn once per batch
(`ProcurementAdapter.finish`). `reevaluate_procurement` judges every process against all of them. Every path
goes through `monitoring.services.raise_alert`, so an alert exists once per rule and record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.api_schemas import field_error
from monitoring.limits import nul_at
from monitoring.models import Alert, Domain, Entity, SourceSystem
from monitoring.pipeline import CREATED, UNCHANGED, UPDATED, Stored, ingest_one, judge
from monitoring.procurement import population as running
from monitoring.procurement import rules as procurement_rules
from monitoring.procurement.models import (
    Amendment,
    Award,
    Bid,
    Contract,
    DataProblem,
    Process,
    SourceSettings,
)
from monitoring.procurement.origin import buyer_region
from monitoring.procurement.reading import (
    OrgRef,
    ParsedRelease,
    Problem,
    ReleaseError,
    check_ini,
    lot_values,
    org_refs,
    organisation_refs,
    parse_release,
    prepare,
)
from monitoring.procurement.rules import AwardFact, BuyerHistory, ContractFact, ProcessFacts
from monitoring.rules import procurement as cardinal
from monitoring.rules.base import Finding
from monitoring.services import Adapter, AlertTarget, IngestError, raise_alert, resolve_entity
from monitoring.services import rule_configs as configs_of
from regions.models import NATIONAL_CODE, Region


class ReleaseRejected(IngestError):
    """The record is not a compiled release; `field` names where."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass
class IngestOutcome:
    process: Process
    status: str  # created, updated or unchanged
    alerts: list[Alert] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# --- source settings -----------------------------------------------------------------------------


@transaction.atomic
def configure_source(
    *, source: SourceSystem, prepare_ini: str | None = None, default_region: str | None = None
) -> SourceSettings:
    """Store a source's prepare settings (Cardinal's INI) and the region its records belong to."""
    if source.domain != Domain.PROCUREMENT:
        raise IngestError(f"{source.name} is a source of another domain ({source.domain})")
    settings, _ = SourceSettings.objects.get_or_create(source=source)
    if prepare_ini is not None:
        if (error := check_ini(prepare_ini)) is not None:
            raise IngestError(f"the prepare settings do not read: {error}")
        settings.prepare_ini = prepare_ini
    if default_region is not None:
        if not Region.objects.filter(code=default_region).exists():
            raise IngestError(f"unknown region {default_region}")
        settings.default_region_id = default_region
    settings.save()
    return settings


def _settings_of(source: SourceSystem | None) -> SourceSettings | None:
    if source is None:
        return None
    return SourceSettings.objects.filter(source=source).first()


def cardinal_settings(ini: str) -> cardinal.CardinalSettings:
    """The source's indicator settings; every indicator with its defaults when the file names none."""
    if any(f"[R{n}" in ini for n in range(10)):
        return cardinal.CardinalSettings.from_ini(ini)
    return cardinal.CardinalSettings()


# --- ingest --------------------------------------------------------------------------------------


def _hash(raw: dict[str, Any], ini: str, region: str) -> str:
    text = json.dumps([raw, ini, region], sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class _Entities:
    """Entities of one release, resolved once each (one profile per organisation)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str, str], Entity | None] = {}

    def __call__(self, ref: OrgRef | None) -> Entity | None:
        if ref is None:
            return None
        key = (ref.ocds_id, ref.name, ref.identifier)
        if key not in self.cache:
            self.cache[key] = resolve_entity(ref.name, ref.identifier)
        return self.cache[key]


def _fit_columns(parsed: ParsedRelease) -> list[Problem]:
    """Values the reading accepted but the process's columns cannot hold become problems (and are not stored)."""
    problems = []
    column = Process._meta.get_field("number_of_tenderers")
    if (error := field_error(column, parsed.number_of_tenderers)) is not None:
        problems.append(Problem("tender.numberOfTenderers", error, str(parsed.number_of_tenderers)[:200]))
        parsed.number_of_tenderers = None
    return problems


class ProcurementAdapter(Adapter):
    """OCDS compiled releases, upserted by ocid; a release sent again unchanged is left alone (no rule runs).

    `evaluate=False` stores only; `cardinal_now=False` leaves Cardinal's indicators to a later `cardinal_pass`
    (the importer's choice: once per 500 records). The running Cardinal population is updated either way.
    """

    domain = Domain.PROCUREMENT
    evaluates_unchanged = False

    def __init__(self, source: SourceSystem | None = None, *, evaluate: bool = True, cardinal_now: bool = True) -> None:
        self.source = source
        self.evaluate = evaluate
        self.cardinal_now = cardinal_now
        self.rules = tuple(procurement_rules.PROCUREMENT_RULES) if evaluate else ()
        self.histories: dict[int, BuyerHistory] = {}
        self._read_settings = False
        self.ini, self.region_code = "", NATIONAL_CODE  # the source's, read once per batch (`_settings`)
        self._changes: list[running.Change] = []

    def configs(self):
        return configs_of(procurement_rules.ALL_RULES)

    def _settings(self) -> tuple[str, str]:
        """The source's prepare settings and region, read once per batch."""
        if not self._read_settings:
            settings = _settings_of(self.source)
            self.ini = settings.prepare_ini if settings else ""
            self.region_code = (settings.default_region_id if settings else None) or NATIONAL_CODE
            self._read_settings = True
        return self.ini, self.region_code

    def parse(self, raw: Any) -> dict[str, Any]:
        """Only what makes a release a record; its fields are read in `store` (a field that cannot be read is
        one of the release's problems, not an error)."""
        source = self.source
        if source is not None and source.domain != Domain.PROCUREMENT:
            raise IngestError(f"{source.name} is a source of another domain ({source.domain})")
        if not isinstance(raw, dict):
            raise ReleaseRejected("__all__", "not a JSON object")
        if (where := nul_at(raw)) is not None:
            raise ReleaseRejected(where, "contains a NUL character")
        return raw

    def store(self, record: dict[str, Any], raw: dict[str, Any]) -> Stored:
        self._changes = []  # this record's changes of the running population, taken back if it fails
        ini, region_code = self._settings()
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise IngestError(f"the region {region_code} is not loaded (manage.py load_regions)")
        digest = _hash(raw, ini, region_code)
        ocid = raw.get("ocid")
        existing = Process.objects.filter(ocid=ocid).first() if isinstance(ocid, str) else None
        source_id = getattr(self.source, "pk", None)
        if existing is not None and existing.content_hash == digest and existing.source_id == source_id:
            return Stored(item=existing, record=None, status=UNCHANGED, key=existing.ocid, extra={"problems": []})
        try:
            prepared, warnings = prepare(raw, ini)
            parsed = parse_release(prepared)
        except ReleaseError as error:
            raise ReleaseRejected(error.field, str(error)) from error
        problems = warnings + parsed.problems + _fit_columns(parsed)
        region = buyer_region(parsed) or region  # a Chinese buyer's region, from its credit code (origin.py)
        entity = _Entities()
        fields = {
            "source": self.source,
            "region": region,
            "title": parsed.title,
            "buyer": entity(parsed.buyer),
            "procuring_entity": entity(parsed.procuring_entity),
            "procurement_method": parsed.procurement_method,
            "procurement_method_details": parsed.procurement_method_details,
            "main_category": parsed.main_category,
            "status": parsed.status,
            "tender_start": parsed.tender_start,
            "tender_end": parsed.tender_end,
            "tender_value": parsed.tender_value,
            "tender_currency": parsed.tender_currency,
            "number_of_tenderers": parsed.number_of_tenderers,
            "release_date": parsed.release_date,
            "release": prepared,
            "content_hash": digest,
        }
        process, created = Process.objects.update_or_create(ocid=parsed.ocid, defaults=fields)
        if not created:
            process.bids.all().delete()
            process.contracts.all().delete()
            process.awards.all().delete()
            process.problems.all().delete()
        _store_children(process, parsed, entity)
        DataProblem.objects.bulk_create(
            DataProblem(
                process=process,
                source=self.source,
                ocid=process.ocid,
                field=p.field[:200],
                message=p.message[:300],
                value=p.value[:200],
            )
            for p in problems
        )
        moved_from = existing.source if existing is not None and existing.source_id != source_id else False
        self._changes.append(
            running.record_change(
                source=self.source,
                process=process,
                moved_from=moved_from,
                organisations=org_refs(parsed),
                settings=cardinal_settings(ini),
                ini=ini,
            )
        )
        return Stored(
            item=process,
            record=process_facts(process) if self.evaluate else None,  # read back from the rows, as in the batch
            status=CREATED if created else UPDATED,
            key=process.ocid,
            extra={"problems": problems},
        )

    def rolled_back(self) -> None:
        while self._changes:
            running.take_back(self._changes.pop())

    def population(self, stored: Stored) -> BuyerHistory:
        return self._history(stored.item)

    def _history(self, process: Process) -> BuyerHistory:
        if process.buyer_id is not None and process.buyer_id in self.histories:
            return self.histories[process.buyer_id]
        history = buyer_history(process)
        if process.buyer_id is not None:
            self.histories[process.buyer_id] = history
        return history

    def target(self, stored: Stored, finding: Finding) -> AlertTarget:
        """Whom a finding is about, by the rule's declared scope: the process, or a buyer and supplier pair."""
        process: Process = stored.item
        rule = procurement_rules.RULES_BY_CODE[finding.rule_code]
        if rule.scope == "pair":
            supplier_key = finding.evidence["pair_supplier"]
            supplier = Entity.objects.filter(pk=int(supplier_key)).first()
            buyer_name = stored.record.buyer_name
            return AlertTarget(
                record_ref=f"pair:{process.buyer_id}:{supplier_key}",
                region=process.region,
                entity=supplier,
                subject=f"{buyer_name} → {supplier.name if supplier else ''}",
                record=_record(process),
            )
        return AlertTarget(
            record_ref=process.ocid,
            region=process.region,
            entity=process.buyer,
            subject=process.title or process.ocid,
            record=_record(process),
        )

    def finish(self, arrived: list[Stored]) -> list[Alert]:
        """Cardinal's fences over the source's running population, once for the batch; alerts for what arrived."""
        ocids = {stored.key for stored in arrived if stored.status != UNCHANGED}
        if not (self.evaluate and self.cardinal_now and ocids):
            return []
        return cardinal_pass(source=self.source, ocids=ocids)


def ingest_release(
    raw: Any,
    *,
    source: SourceSystem | None = None,
    evaluate: bool = True,
    cardinal_now: bool = True,
) -> IngestOutcome:
    """Upsert a compiled release by its ocid and raise the rules' alerts on it. Idempotent.

    `evaluate=False` stores only; `cardinal_now=False` leaves Cardinal's indicators to a later
    `cardinal_pass` over a whole batch (the importer's choice: fences need the population anyway).
    Raises IngestError (nothing written) when the record is not a compiled release.
    """
    stored = ingest_one(ProcurementAdapter(source, evaluate=evaluate, cardinal_now=cardinal_now), raw)
    return IngestOutcome(stored.item, stored.status, alerts=stored.alerts, problems=stored.extra["problems"])


def _store_children(process: Process, parsed: ParsedRelease, entity: _Entities) -> None:
    Bid.objects.bulk_create(
        Bid(
            process=process,
            bid_id=bid.bid_id,
            tenderer=entity(bid.tenderers[0]) if bid.tenderers else None,
            amount=bid.amount,
            currency=bid.currency,
            date=bid.date,
            status=bid.status,
        )
        for bid in parsed.bids
    )
    awards: dict[str, Award] = {}
    for parsed_award in parsed.awards:
        award = Award.objects.create(
            process=process,
            award_id=parsed_award.award_id,
            amount=parsed_award.amount,
            currency=parsed_award.currency,
            date=parsed_award.date,
            status=parsed_award.status,
            classification=parsed_award.classification,
            lot_ids=list(parsed_award.lot_ids),
        )
        suppliers = [e for e in (entity(s) for s in parsed_award.suppliers) if e is not None]
        award.suppliers.set(suppliers)
        awards.setdefault(parsed_award.award_id, award)
    for parsed_contract in parsed.contracts:
        contract = Contract.objects.create(
            process=process,
            contract_id=parsed_contract.contract_id,
            award=awards.get(parsed_contract.award_id),
            amount=parsed_contract.amount,
            currency=parsed_contract.currency,
            date_signed=parsed_contract.date_signed,
            status=parsed_contract.status,
        )
        Amendment.objects.bulk_create(
            Amendment(contract=contract, amendment_id=a_id, date=a_date, rationale=rationale)
            for a_id, a_date, rationale in parsed_contract.amendments
        )


# --- facts for the rules -------------------------------------------------------------------------


def _float(value) -> float | None:
    return None if value is None else float(value)


def _awards_of(queryset) -> list[AwardFact]:
    facts = []
    for award in queryset.select_related("process").prefetch_related("suppliers"):
        suppliers = sorted(award.suppliers.all(), key=lambda e: e.pk)
        facts.append(
            AwardFact(
                ocid=award.process.ocid,
                award_id=award.award_id,
                buyer=str(award.process.buyer_id or ""),
                suppliers=tuple(str(e.pk) for e in suppliers),
                supplier_names=tuple(e.name for e in suppliers),
                classification=award.classification,
                amount=_float(award.amount),
                currency=award.currency,
                date=award.date,
                status=award.status,
                lot_ids=tuple(award.lot_ids or ()),
            )
        )
    return facts


def process_facts(process: Process) -> ProcessFacts:
    awards = _awards_of(Award.objects.filter(process=process))
    by_id = {award.award_id: award for award in awards}
    contracts = []
    for contract in process.contracts.prefetch_related("amendments").select_related("award"):
        award = by_id.get(contract.award.award_id) if contract.award else None
        contracts.append(
            ContractFact(
                contract_id=contract.contract_id,
                award_id=contract.award.award_id if contract.award else "",
                amount=_float(contract.amount),
                currency=contract.currency,
                award_amount=award.amount if award else None,
                award_currency=award.currency if award else "",
                amendment_dates=tuple(a.date.date().isoformat() if a.date else "" for a in contract.amendments.all()),
                status=contract.status,
            )
        )
    lots = lot_values(process.release)
    return ProcessFacts(
        ocid=process.ocid,
        buyer=str(process.buyer_id or ""),
        buyer_name=process.buyer.name if process.buyer else "",
        estimate=_float(process.tender_value),
        estimate_currency=process.tender_currency,
        lot_estimates={lot: (float(amount), currency) for lot, (amount, currency) in lots.items()},
        awards=tuple(awards),
        contracts=tuple(contracts),
    )


def buyer_history(process: Process) -> BuyerHistory:
    if process.buyer_id is None:
        return BuyerHistory(awards=(), today=timezone.localdate())
    awards = _awards_of(Award.objects.filter(process__buyer_id=process.buyer_id))
    return BuyerHistory(awards=tuple(awards), today=timezone.localdate())


def _record(process: Process) -> dict[str, Any]:
    return {"ocid": process.ocid, "title": process.title, "buyer": process.buyer.name if process.buyer else None}


# --- evaluation ----------------------------------------------------------------------------------


def evaluate_process(
    process: Process, *, configs: dict | None = None, histories: dict[int, BuyerHistory] | None = None
) -> list[Alert]:
    """The rules beyond Cardinal on one process, against the buyer's awards stored so far.

    A batch passes the rules' settings (`configs`) and a cache of buyers' histories, read once for all.
    """
    adapter = ProcurementAdapter(None, cardinal_now=False)  # the source plays no part in judging a stored process
    if histories is not None:
        adapter.histories = histories
    stored = Stored(item=process, record=process_facts(process), status=UPDATED, key=process.ocid)
    return judge(adapter, stored, configs if configs is not None else rule_configs())


def rule_configs() -> dict:
    """The administrators' settings of every procurement rule, read once."""
    return configs_of(procurement_rules.ALL_RULES)


def _org_entities(releases: Iterable[dict], wanted: set[str]) -> dict[str, Entity | None]:
    """OCDS organisation ids → their entity profiles, for the organisations Cardinal flagged."""
    found: dict[str, Entity | None] = {}
    for release in releases:
        if not wanted - found.keys():
            break
        for ref in organisation_refs(parse_release(release)):
            if ref.ocds_id in wanted and ref.ocds_id not in found:
                found[ref.ocds_id] = resolve_entity(ref.name, ref.identifier)
    return found


def cardinal_pass(*, source: SourceSystem | None, ocids: set[str] | None = None) -> list[Alert]:
    """Cardinal's indicators (default mode) over the source's processes so far; alerts for `ocids` (None: all).

    The fences are drawn over every stored process of the source, held in the source's running population
    (`monitoring.procurement.population`: in memory, brought up to date with the processes changed since it was
    last used; read whole only on its first use in a server process). Flags on a process are raised for the
    processes in `ocids`; flags on an organisation (buyer, procuring entity, tenderer) for the organisations
    those processes name. Each alert keeps the evidence and the population's size. Runs in one transaction.
    """
    settings_row = _settings_of(source)
    ini = settings_row.prepare_ini if settings_row else ""
    enabled = {}
    configs = configs_of(procurement_rules.CARDINAL_RULES)
    for code in procurement_rules.CARDINAL:
        if configs[code].enabled:
            enabled[code] = configs[code].severity
    if not enabled:
        return []
    with transaction.atomic():
        memory = running.current(source, cardinal_settings(ini), ini)
        result = memory.population.result()
        size = {"scope": source.name if source else "no source", "n": len(memory.population)}
        homes = dict(memory.homes)
        return _raise_cardinal(source, result, enabled, size, homes, ocids)


def _raise_cardinal(source, result, enabled: dict[str, str], size: dict, homes: dict, ocids: set[str] | None):
    flagged = [ocid for ocid in result.by_ocid if ocids is None or ocid in ocids]
    if ocids is not None:  # the processes that arrived: their flags, and the organisations they name
        processes = {p.ocid: p for p in _population(source).filter(ocid__in=set(ocids))}
    else:  # the batch: every process of the source
        processes = {p.ocid: p for p in _population(source).iterator(chunk_size=500)}
    raised: list[Alert] = []
    for ocid in flagged:
        if ocid in processes:
            raised += _raise_process_flags(processes[ocid], result.by_ocid[ocid], enabled, size)
    org_flags = [
        (role, org, flags)
        for role, table in (
            ("buyer", result.by_buyer),
            ("procuringEntity", result.by_procuring_entity),
            ("tenderer", result.by_tenderer),
        )
        for org, flags in table.items()
        if any(code in enabled for code in flags)
    ]
    if not org_flags:
        return raised
    if ocids is not None:
        named = {ref for o in ocids if o in processes for ref in org_refs(parse_release(processes[o].release))}
        wanted = {org for _, org, _ in org_flags if org in named}
        releases = (p.release for p in sorted((processes[o] for o in ocids if o in processes), key=lambda p: p.pk))
    else:
        wanted = {org for _, org, _ in org_flags}
        releases = (p.release for p in processes.values())
    if not wanted:
        return raised
    entities = _org_entities(releases, wanted)
    regions = {r.code: r for r in Region.objects.filter(code__in={homes[o][1] for o in wanted if o in homes})}
    national = None
    for role, org, flags in org_flags:
        if org not in wanted:
            continue
        for code, evidence in flags.items():
            if code not in enabled:
                continue
            entity = entities.get(org)
            region = regions.get(homes[org][1]) if org in homes else None
            if region is None:
                national = national or Region.objects.get(code=NATIONAL_CODE)
                region = national
            finding = procurement_rules.CARDINAL[code].flag(
                {**_jsonable(evidence), "population": size, "organisation": {"role": role, "id": org}}, enabled[code]
            )
            alert = raise_alert(
                finding,
                domain=Domain.PROCUREMENT,
                record_ref=f"{role}:{org}",
                region=region,
                entity=entity,
                subject=entity.name if entity else org,
                record={"organisation": org, "role": role, "name": entity.name if entity else org},
            )
            if alert is not None:
                raised.append(alert)
    return raised


def _population(source: SourceSystem | None):
    processes = Process.objects.filter(source=source) if source is not None else Process.objects.filter(source=None)
    return processes.select_related("region", "buyer").order_by("pk")


def _jsonable(evidence: Any) -> dict[str, Any]:
    value = json.loads(json.dumps(evidence, default=lambda o: sorted(o) if isinstance(o, set) else str(o)))
    return value if isinstance(value, dict) else {"value": value}


def _raise_process_flags(process: Process, flags: dict, enabled: dict[str, str], population: dict) -> list[Alert]:
    raised = []
    for code, evidence in flags.items():
        if code not in enabled:
            continue
        finding = procurement_rules.CARDINAL[code].flag(
            {**_jsonable(evidence), "population": population}, enabled[code]
        )
        alert = raise_alert(
            finding,
            domain=Domain.PROCUREMENT,
            record_ref=process.ocid,
            region=process.region,
            entity=process.buyer,
            subject=process.title or process.ocid,
            record=_record(process),
        )
        if alert is not None:
            raised.append(alert)
    return raised


def reevaluate_procurement() -> tuple[int, int]:
    """Batch: every process against the whole population. Returns (processes, new alerts). No duplicates."""
    processes = raised = 0
    configs, histories = rule_configs(), dict[int, BuyerHistory]()
    for process in Process.objects.select_related("region", "buyer").order_by("pk").iterator(chunk_size=500):
        with transaction.atomic():
            raised += len(evaluate_process(process, configs=configs, histories=histories))
        processes += 1
    sources = set(Process.objects.values_list("source", flat=True).distinct())
    for source_id in sources:
        source = SourceSystem.objects.filter(pk=source_id).first() if source_id else None
        raised += len(cardinal_pass(source=source))
    return processes, raised
