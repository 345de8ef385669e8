"""Demo content: the 204 real land-transfer records (evaluated as they arrive, then in batch) and 105 real OCDS
procurement processes (stored, then evaluated in one batch)."""

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


PROCUREMENT = Path(__file__).resolve().parent / "procurement" / "demo_data" / "real_examples_shared.jsonl"
PROCUREMENT_SOURCE = "OCDS 示例数据（open-contracting/sample-data）"


def load_procurement() -> tuple[int, list[str]]:
    """The real OCDS sample through the same path as the importer; nothing is loaded twice."""
    from monitoring.models import Domain, SourceSystem
    from monitoring.ocds import ReadReport
    from monitoring.procurement.models import Process
    from monitoring.procurement.reading import iter_file
    from monitoring.procurement.services import configure_source, ingest_release, reevaluate_procurement
    from monitoring.services import create_source

    source = SourceSystem.objects.filter(name=PROCUREMENT_SOURCE).first()
    if source is not None and Process.objects.filter(source=source).exists():
        return 0, []
    if source is None:
        source, _ = create_source(name=PROCUREMENT_SOURCE, domain=Domain.PROCUREMENT)
    configure_source(
        source=source,
        prepare_ini=(PROCUREMENT.parent / "prepare.ini").read_text(encoding="utf-8"),
        default_region="000000",
    )
    loaded, report, problems = 0, ReadReport(), []
    with PROCUREMENT.open(encoding="utf-8") as handle:
        for located in iter_file(handle, report):
            try:
                ingest_release(located.release, source=source, evaluate=False)
                loaded += 1
            except IngestError as error:
                problems.append(f"{PROCUREMENT.name} {located.where}: {error}")
    reevaluate_procurement()  # every rule once, over the whole sample, as the nightly batch would
    return loaded, problems + report.problems
