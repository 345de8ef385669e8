"""Demo content: the 204 real land-transfer records, evaluated as they arrive."""

from __future__ import annotations

import json
from pathlib import Path

from monitoring.models import LandTransfer
from monitoring.services import IngestError, ingest_land, reevaluate_land

LAND = Path(__file__).resolve().parent / "demo_data" / "land_transfer_results_2018.jsonl"


def load_land() -> tuple[int, list[str]]:
    if LandTransfer.objects.exists():
        return 0, []
    loaded, problems = 0, []
    with LAND.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                ingest_land(json.loads(line))
                loaded += 1
            except IngestError as error:
                problems.append(f"{LAND.name}:{number}: {error}")
    reevaluate_land()  # the outlier rules then see the whole population, as a nightly batch would
    return loaded, problems
