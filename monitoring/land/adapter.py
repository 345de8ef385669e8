"""The land domain's adapter for the pipeline: a 供地结果 record read, upserted by its 电子监管号, compared with the
competitively sold parcels of the same use, and its alerts raised on the transfer."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.api_schemas import field_error
from monitoring.land.models import LandTransfer
from monitoring.land.records import LandRecord, LandRecordError, parse_land_record, use_category
from monitoring.land.rules import LAND_RULES
from monitoring.models import Domain, Entity, SourceSystem
from monitoring.pipeline import CREATED, UPDATED, IngestError, Stored
from monitoring.rules.base import Context, Finding, Rule
from monitoring.services import Adapter, AlertTarget, resolve_entity
from regions.codes import NATIONAL_CODE, ancestors
from regions.models import Region

COMPETITIVE_SUPPLY = ("挂牌出让", "拍卖出让", "招标出让")

# Where each column of a land transfer comes from in a 供地结果 record: (column, JSON key, value read).
LAND_COLUMNS = (
    ("district", "district", lambda r: r.district),
    ("project", "name", lambda r: r.project),
    ("location", "location", lambda r: r.location),
    ("area_ha", "area", lambda r: r.area_ha),
    ("land_source", "source", lambda r: r.land_source),
    ("use", "use", lambda r: r.use),
    ("supply", "supply", lambda r: r.supply),
    ("term_years", "duration", lambda r: r.term_years),
    ("industry", "industry", lambda r: r.industry),
    ("grade", "grade", lambda r: r.grade),
    ("price_wan", "price", lambda r: r.price_wan),
    ("approved_by", "approvedby", lambda r: r.approved_by),
)


def check_land_columns(record: LandRecord) -> None:
    """Every value fits the column it is stored in (length, range, digits), or an IngestError names its key."""
    for column, key, read in LAND_COLUMNS:
        if (problem := field_error(LandTransfer._meta.get_field(column), read(record))) is not None:
            raise IngestError(f"{key}: {problem}", field=key)
    if (problem := field_error(Entity._meta.get_field("name"), record.holder)) is not None:
        raise IngestError(f"holder: {problem}", field="holder")


def record_region(code: str) -> Region:
    """The region of the code, else the nearest enclosing one up to its province (never the whole country)."""
    for candidate in (code, *(enclosing for enclosing in reversed(ancestors(code)) if enclosing != NATIONAL_CODE)):
        region = Region.objects.filter(code=candidate).first()
        if region is not None:
            return region
    raise IngestError(f"unknown administrative division in the record id: {code}", field="idnumber")


def land_peers(transfer: LandTransfer, min_peers: int) -> tuple[list[float], str]:
    """Unit prices of competitively sold parcels of the same use: the province if it has enough, else all."""
    if not transfer.use_category:
        return [], ""
    base = LandTransfer.objects.filter(
        use_category=transfer.use_category, supply__in=COMPETITIVE_SUPPLY, unit_price__isnull=False
    ).exclude(pk=transfer.pk)
    province = transfer.region_id[:2]
    local = list(base.filter(region__code__startswith=province).values_list("unit_price", flat=True))
    if len(local) >= min_peers:
        return local, f"province {province}0000 · {transfer.use_category}"
    return list(base.values_list("unit_price", flat=True)), f"all regions · {transfer.use_category}"


class LandPopulation:
    """What a land rule compares a transfer with: today, and for the rules that need peers, the parcels sold
    competitively for the same use (read only when such a rule is on, once per `min_peers`)."""

    def __init__(self, transfer: LandTransfer, today=None) -> None:
        self.transfer = transfer
        self.today = today or timezone.localdate()
        self._peers: dict[int, tuple[list[float], str]] = {}

    def context_for(self, rule: Rule, params: dict[str, Any]) -> Context:
        if not rule.needs_peers:
            return Context(today=self.today)
        min_peers = params.get("min_peers", 8)
        if min_peers not in self._peers:
            self._peers[min_peers] = land_peers(self.transfer, min_peers)
        peers, scope = self._peers[min_peers]
        return Context(today=self.today, peers=peers, peer_scope=scope)


class LandAdapter(Adapter):
    """供地结果 records, upserted by 电子监管号; every record is judged again when sent again (idempotent alerts)."""

    domain = Domain.LAND
    rules = tuple(LAND_RULES)
    evaluates_unchanged = True

    def __init__(self, source: SourceSystem | None = None, today=None) -> None:
        self.source = source
        self.today = today

    def parse(self, raw: Any) -> LandRecord:
        try:
            record = parse_land_record(raw)
        except LandRecordError as error:
            raise IngestError(str(error), field=error.field) from error
        check_land_columns(record)
        return record

    def store(self, record: LandRecord, raw: Any) -> Stored:
        fields = {
            "source": self.source,
            "region": record_region(record.region_code),
            "district": record.district,
            "project": record.project or record.record_id,
            "location": record.location,
            "area_ha": record.area_ha,
            "land_source": record.land_source,
            "use": record.use,
            "use_category": use_category(record.use) or "",
            "supply": record.supply,
            "term_years": record.term_years,
            "industry": record.industry,
            "grade": record.grade,
            "price_wan": record.price_wan,
            "unit_price": record.unit_price_yuan_m2,
            "holder": resolve_entity(record.holder),
            "approved_by": record.approved_by,
            "signed_on": record.signed_on,
            "commencement_planned": record.commencement_planned,
            "commencement_actual": record.commencement_actual,
            "completion_planned": record.completion_planned,
            "instalments": [
                {
                    "n": i.number,
                    "due": i.due.isoformat() if i.due else None,
                    "amount_wan": str(i.amount_wan) if i.amount_wan is not None else None,
                }
                for i in record.instalments
            ],
            "raw": raw,
        }
        transfer, created = LandTransfer.objects.update_or_create(record_id=record.record_id, defaults=fields)
        return Stored(item=transfer, record=record, status=CREATED if created else UPDATED, key=transfer.record_id)

    def population(self, stored: Stored) -> LandPopulation:
        return LandPopulation(stored.item, self.today)

    def target(self, stored: Stored, finding: Finding) -> AlertTarget:
        transfer: LandTransfer = stored.item
        return AlertTarget(
            record_ref=transfer.record_id,
            region=transfer.region,
            entity=transfer.holder,
            subject=transfer.project,
            record={
                "id": transfer.record_id,
                "use": transfer.use,
                "supply": transfer.supply,
                "price_wan": str(transfer.price_wan) if transfer.price_wan is not None else None,
            },
            links={"land_transfer": transfer},
        )
