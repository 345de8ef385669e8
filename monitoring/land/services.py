"""Writes for the land domain: a record through the pipeline on arrival, and the nightly re-evaluation."""

from __future__ import annotations

from django.db import transaction

from monitoring.land.adapter import LandAdapter
from monitoring.land.models import LandTransfer
from monitoring.land.records import parse_land_record
from monitoring.models import Alert, SourceSystem
from monitoring.pipeline import CREATED, Stored, ingest_one, judge


def ingest_land(raw: dict, *, source: SourceSystem | None = None) -> tuple[LandTransfer, bool, list[Alert]]:
    """Upsert a land record by its 电子监管号 and evaluate the rules on it. Idempotent.

    Raises IngestError naming the key at fault when the record cannot be read or does not fit the columns;
    nothing of such a record is written.
    """
    stored = ingest_one(LandAdapter(source), raw)
    return stored.item, stored.status == CREATED, stored.alerts


def reevaluate_land(today=None) -> tuple[int, int]:
    """Batch: evaluate every land record against the whole population. Returns (records, new alerts).

    On arrival a record is compared with the records so far; here with all of them. Alerts raised
    before are kept (one per rule and record), so the two paths never duplicate each other.
    """
    adapter = LandAdapter(today=today)
    configs = adapter.configs()
    records = raised = 0
    for transfer in LandTransfer.objects.select_related("region", "holder").order_by("pk").iterator(chunk_size=500):
        stored = Stored(item=transfer, record=parse_land_record(transfer.raw), status=CREATED, key=transfer.record_id)
        with transaction.atomic():
            raised += len(judge(adapter, stored, configs))
        records += 1
    return records, raised
