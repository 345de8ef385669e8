"""Loading the GB/T 2260 administrative divisions shipped with the platform."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from regions.codes import ancestors
from regions.models import Region, level_of, region_code_validator

GB2260_CSV = Path(__file__).resolve().parent / "data" / "gb2260.csv"


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str


class RegionFileError(ValueError):
    pass


def read_region_rows(path: Path = GB2260_CSV) -> list[RegionRow]:
    rows: list[RegionRow] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for line_number, record in enumerate(reader, start=2):
            code = (record.get("code") or "").strip()
            name = (record.get("name") or "").strip()
            if not (len(code) == 6 and code.isdigit()) or not name:
                raise RegionFileError(f"{path.name}:{line_number}: expected a six-digit code and a name: {record!r}")
            if code in seen:
                raise RegionFileError(f"{path.name}:{line_number}: duplicate code {code}")
            seen.add(code)
            rows.append(RegionRow(code=code, name=name))
    return rows


def parent_code(code: str, known: set[str]) -> str | None:
    """The nearest enclosing code that exists: county → city → province → country."""
    return next((candidate for candidate in reversed(ancestors(code)) if candidate in known), None)


@transaction.atomic
def load_regions(rows: Iterable[RegionRow]) -> tuple[int, int]:
    """Create or update regions; returns (created, updated). Idempotent."""
    rows = list(rows)
    known = {row.code for row in rows} | set(Region.objects.values_list("code", flat=True))
    existing = {region.code: region for region in Region.objects.all()}
    created = updated = 0
    # Parents first: provinces, then cities, then counties.
    order = {"country": 0, "province": 1, "city": 2, "county": 3}
    for row in sorted(rows, key=lambda r: (order[level_of(r.code)], r.code)):
        region_code_validator(row.code)
        fields = {"name": row.name, "level": level_of(row.code), "parent_id": parent_code(row.code, known)}
        region = existing.get(row.code)
        if region is None:
            Region.objects.create(code=row.code, **fields)
            created += 1
        elif any(getattr(region, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(region, key, value)
            region.save()
            updated += 1
    return created, updated
