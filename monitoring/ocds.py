"""Reading OCDS compiled releases, one JSON object per line, streamed (never the whole file in memory)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any


@dataclass
class ReadReport:
    """What could not be read, by line, for the data-quality report."""

    lines: int = 0
    releases: int = 0
    problems: list[str] = field(default_factory=list)


def iter_releases(handle: IO[str], report: ReadReport | None = None) -> Iterator[dict[str, Any]]:
    """Yield each compiled release; a line that is not a JSON object is reported and skipped."""
    report = report if report is not None else ReadReport()
    for number, line in enumerate(handle, start=1):
        report.lines = number
        if not line.strip():
            continue
        try:
            release = json.loads(line)
        except json.JSONDecodeError as error:
            report.problems.append(f"line {number}: not JSON ({error.msg})")
            continue
        if not isinstance(release, dict) or not release.get("ocid"):
            report.problems.append(f"line {number}: not a compiled release with an ocid")
            continue
        report.releases += 1
        yield release


def parse_rfc3339(value: Any, *, require_offset: bool) -> datetime | None:
    """An OCDS date-time. Cardinal skips dates without a UTC offset; the default mode reads them as UTC."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        if require_offset:
            return None
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment
