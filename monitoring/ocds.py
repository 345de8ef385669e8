"""Reading OCDS compiled releases, one JSON object per line, streamed (never the whole file in memory).

`iter_releases` yields whole releases. `iter_cardinal_releases` yields only the fields Cardinal's `prepare`
and indicators read (ocid, tender status, method, details, number of tenderers, tender period and procuring
entity; buyer; bid statuses, dates, values, tenderer ids and item classifications; award ids, statuses,
supplier ids and item classifications; contract award ids and statuses; party ids and roles; auctions),
decoded by msgspec against a schema that skips everything else, which is several times faster on real
releases (names, addresses, documents). A line whose shape does not fit the schema (a lone object where a
list is expected, a string where an object is expected) is decoded whole instead, so the indicators see
exactly what they would have seen.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, TypedDict


def _msgspec() -> Any:
    """msgspec, imported on first use (it is not needed to start the site); None without it."""
    try:
        import msgspec
    except ImportError:  # pragma: no cover - msgspec is in requirements.txt; stdlib json still works
        return None
    return msgspec


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
        moment = moment.replace(tzinfo=UTC)
    return moment


# The fields Cardinal reads, as TypedDicts: msgspec decodes them straight into dicts and skips the rest.
# `Any` leaves keep whatever type the publisher used (numeric ids, null statuses), as Cardinal sees them.


class _Org(TypedDict, total=False):
    id: Any


class _Classification(TypedDict, total=False):
    id: Any
    scheme: Any


class _Item(TypedDict, total=False):
    classification: _Classification


class _Value(TypedDict, total=False):
    amount: Any
    currency: Any


class _Bid(TypedDict, total=False):
    id: Any
    status: Any
    date: Any
    value: _Value
    tenderers: list[_Org]
    items: list[_Item]


class _Bids(TypedDict, total=False):
    details: list[_Bid]


class _Award(TypedDict, total=False):
    id: Any
    status: Any
    suppliers: list[_Org]
    items: list[_Item]


class _Contract(TypedDict, total=False):
    awardID: Any  # noqa: N815 (OCDS field names)
    status: Any


class _Party(TypedDict, total=False):
    id: Any
    roles: Any


class _Period(TypedDict, total=False):
    startDate: Any  # noqa: N815
    endDate: Any  # noqa: N815


class _Tender(TypedDict, total=False):
    status: Any
    procurementMethod: Any  # noqa: N815
    procurementMethodDetails: Any  # noqa: N815
    numberOfTenderers: Any  # noqa: N815
    tenderPeriod: _Period  # noqa: N815
    procuringEntity: _Org  # noqa: N815


class _Release(TypedDict, total=False):
    ocid: Any
    tender: _Tender
    buyer: _Org
    bids: _Bids
    awards: list[_Award]
    contracts: list[_Contract]
    parties: list[_Party]
    auctions: Any


def iter_cardinal_releases(handle: IO[bytes], report: ReadReport | None = None) -> Iterator[dict[str, Any]]:
    """Yield each compiled release reduced to the fields Cardinal reads (see the module docstring).

    `handle` is a binary file. Lines that are not JSON objects with an ocid are reported and skipped.
    """
    report = report if report is not None else ReadReport()
    msgspec = _msgspec()
    if msgspec is None:  # pragma: no cover
        yield from iter_releases((line.decode("utf-8") for line in handle), report)
        return
    projected, whole = msgspec.json.Decoder(_Release), msgspec.json.Decoder()
    validation_error, decode_error = msgspec.ValidationError, msgspec.DecodeError
    number = 0
    for number, line in enumerate(handle, start=1):  # noqa: B007 (the count is reported after the loop)
        try:
            release = projected.decode(line)
        except validation_error:
            try:
                release = whole.decode(line)  # another shape than the schema's: read it whole
            except decode_error as error:
                report.problems.append(f"line {number}: not JSON ({error})")
                continue
        except decode_error as error:
            if line.strip():
                report.problems.append(f"line {number}: not JSON ({error})")
            continue
        if type(release) is not dict or not release.get("ocid"):
            report.problems.append(f"line {number}: not a compiled release with an ocid")
            continue
        report.releases += 1
        yield release
    report.lines = number
