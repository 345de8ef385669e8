"""Reading OCDS files and compiled releases: pure functions, no ORM.

Files: compiled releases one per line (JSON Lines, streamed through `monitoring.ocds.iter_releases`), release or
record packages one per line (each line's `releases`, or `records[].compiledRelease`, is expanded), or one
pretty-printed package (read whole, up to `MAX_PACKAGE_BYTES`: the standard library has no streaming JSON
parser). A release is read into `ParsedRelease`; every field that cannot be read becomes a `Problem`, and the
rest of the record is kept.
"""

from __future__ import annotations

import configparser
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from monitoring.limits import DATE_RANGE, in_range
from monitoring.ocds import ReadReport, iter_releases, parse_rfc3339
from monitoring.rules.cardinal.settings import CardinalSettings
from monitoring.rules.prepare import PrepareSettings, prepare_release

MAX_PACKAGE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    value: str = ""


@dataclass(frozen=True)
class OrgRef:
    """An organisation as a release names it: its OCDS id, name, and identifier (a credit code if Chinese)."""

    ocds_id: str
    name: str
    identifier: str = ""


@dataclass(frozen=True)
class ParsedBid:
    bid_id: str
    tenderers: tuple[OrgRef, ...]
    amount: Decimal | None
    currency: str
    date: datetime | None
    status: str


@dataclass(frozen=True)
class ParsedAward:
    award_id: str
    suppliers: tuple[OrgRef, ...]
    amount: Decimal | None
    currency: str
    date: datetime | None
    status: str
    classification: str
    lot_ids: tuple[str, ...]


@dataclass(frozen=True)
class ParsedContract:
    contract_id: str
    award_id: str
    amount: Decimal | None
    currency: str
    date_signed: datetime | None
    status: str
    amendments: tuple[tuple[str, datetime | None, str], ...]  # (id, date, rationale)


@dataclass
class ParsedRelease:
    ocid: str
    title: str = ""
    buyer: OrgRef | None = None
    procuring_entity: OrgRef | None = None
    procurement_method: str = ""
    procurement_method_details: str = ""
    main_category: str = ""
    status: str = ""
    tender_start: datetime | None = None
    tender_end: datetime | None = None
    tender_value: Decimal | None = None
    tender_currency: str = ""
    lot_values: dict[str, tuple[Decimal, str]] = field(default_factory=dict)
    number_of_tenderers: int | None = None
    release_date: datetime | None = None
    classification: str = ""
    bids: list[ParsedBid] = field(default_factory=list)
    awards: list[ParsedAward] = field(default_factory=list)
    contracts: list[ParsedContract] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class ReleaseError(ValueError):
    """The record is not a compiled release at all; `field` names where."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


# --- files ---------------------------------------------------------------------------------------


@dataclass
class Located:
    """A release and where it came from in the file, for line-numbered problems."""

    release: dict[str, Any]
    where: str


def _package_releases(package: dict[str, Any]) -> list[Any]:
    if isinstance(package.get("releases"), list):
        return package["releases"]
    if isinstance(package.get("records"), list):
        return [
            (record or {}).get("compiledRelease") if isinstance(record, dict) else record
            for record in package["records"]
        ]
    return []


def _is_package(obj: Any) -> bool:
    return isinstance(obj, dict) and not obj.get("ocid") and ("releases" in obj or "records" in obj)


def iter_file(handle: IO[str], report: ReadReport) -> Iterator[Located]:
    """Every compiled release in the file, with its line (and index in a package); problems go to `report`."""
    first = handle.readline()
    while first and not first.strip():
        first = handle.readline()
    if not first:
        return
    try:
        head = json.loads(first)
    except json.JSONDecodeError:
        head = None
    if head is None and first.lstrip().startswith("{"):
        yield from _whole_package(first, handle, report)
    elif _is_package(head):
        yield from _package_lines(first, handle, report)
    else:
        yield from _release_lines(first, handle, report)


def _release_lines(first: str, handle: IO[str], report: ReadReport) -> Iterator[Located]:
    lines = _chain(first, handle)
    for release in iter_releases(lines, report):
        yield Located(release, f"line {report.lines}")


def _package_lines(first: str, handle: IO[str], report: ReadReport) -> Iterator[Located]:
    for number, line in enumerate(_chain(first, handle), start=1):
        report.lines = number
        if not line.strip():
            continue
        try:
            package = json.loads(line)
        except json.JSONDecodeError as error:
            report.problems.append(f"line {number}: not JSON ({error.msg})")
            continue
        if isinstance(package, dict) and package.get("ocid"):
            items = [(package, f"line {number}")]
        elif _is_package(package):
            items = [(r, f"line {number} release [{i}]") for i, r in enumerate(_package_releases(package))]
        else:
            report.problems.append(f"line {number}: neither a package nor a compiled release")
            continue
        for release, where in items:
            if not isinstance(release, dict) or not release.get("ocid"):
                report.problems.append(f"{where}: not a compiled release with an ocid")
                continue
            report.releases += 1
            yield Located(release, where)


def _whole_package(first: str, handle: IO[str], report: ReadReport) -> Iterator[Located]:
    text = first + handle.read(MAX_PACKAGE_BYTES + 1 - len(first))
    if len(text) > MAX_PACKAGE_BYTES:
        report.problems.append(
            f"the package is larger than {MAX_PACKAGE_BYTES // 1024 // 1024} MB: "
            "convert it to one compiled release per line (e.g. ocdskit compile)"
        )
        return
    report.lines = text.count("\n") + 1
    try:
        package = json.loads(text)
    except json.JSONDecodeError as error:
        report.problems.append(f"line {error.lineno}: not JSON ({error.msg})")
        return
    if not _is_package(package):
        report.problems.append("line 1: neither a package nor a compiled release")
        return
    for index, release in enumerate(_package_releases(package)):
        if not isinstance(release, dict) or not release.get("ocid"):
            report.problems.append(f"release [{index}]: not a compiled release with an ocid")
            continue
        report.releases += 1
        yield Located(release, f"release [{index}]")


def _chain(first: str, handle: IO[str]) -> Iterator[str]:
    yield first
    yield from handle


def releases_of(payload: Any) -> list[Any]:
    """The releases in an API payload: one compiled release, a list of them, or a release/record package."""
    if isinstance(payload, list):
        return payload
    if _is_package(payload):
        return _package_releases(payload)
    return [payload]


# --- prepare -------------------------------------------------------------------------------------


def prepare(release: dict[str, Any], ini: str) -> tuple[dict[str, Any], list[Problem]]:
    """Apply the source's prepare settings (Cardinal's INI: defaults, codelist maps, corrections) to a copy.

    Cardinal's warnings (`ocid,path,index,value,message`) become problems named by path and index.
    """
    release = json.loads(json.dumps(release))  # a copy: the caller's dict is the record as received
    if not ini.strip():
        return release, []
    prepared, warnings = prepare_release(release, PrepareSettings.from_ini(ini))
    problems = []
    for row in csv.reader(warnings):
        if len(row) >= 5:
            _, path, index, value, message = row[:5]
            problems.append(Problem(f"{path} [{index}]" if index != "" else path, f"prepare: {message}", value))
        else:
            problems.append(Problem("prepare", ",".join(row)))
    return prepared, problems


def check_ini(ini: str) -> str | None:
    """None if the settings file reads, else why not."""
    try:
        PrepareSettings.from_ini(ini)
        CardinalSettings.from_ini(ini)
    except (configparser.Error, ValueError) as error:
        return str(error).splitlines()[0] if str(error) else error.__class__.__name__
    return None


# --- one release ---------------------------------------------------------------------------------


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:200]


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str, value: Any = None) -> None:
        self.problems.append(Problem(path, message, "" if value is None else _show(value)))

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, "not an object", value)
            return {}
        return value

    def array(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, "not an array", value)
            return []
        return value

    def date(self, value: Any, path: str) -> datetime | None:
        if value in (None, ""):
            return None
        moment = parse_rfc3339(value, require_offset=False)
        if moment is None:
            self.problem(path, "not an RFC 3339 date-time", value)
        elif not in_range(moment):
            self.problem(path, f"out of range ({DATE_RANGE})", value)
            return None
        return moment

    def money(self, value: Any, path: str) -> tuple[Decimal | None, str]:
        value = self.obj(value, path)
        if not value:
            return None, ""
        amount, currency = value.get("amount"), value.get("currency")
        number = None
        if amount is not None:
            try:
                if isinstance(amount, bool):
                    raise InvalidOperation
                number = Decimal(str(amount))
                if not number.is_finite() or abs(number) >= Decimal(10) ** 18:
                    raise InvalidOperation
                number = number.quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                self.problem(f"{path}.amount", "not a number", amount)
                number = None
        code = currency.strip().upper() if isinstance(currency, str) else ""
        if currency is not None and (len(code) != 3 or not code.isalpha()):
            self.problem(f"{path}.currency", "not an ISO 4217 currency code", currency)
            code = ""
        if number is not None and not code:
            self.problem(f"{path}.currency", "an amount without a currency", value)
        return number, code

    def org(self, value: Any, path: str, parties: dict[str, dict]) -> OrgRef | None:
        value = self.obj(value, path)
        if not value:
            return None
        ocds_id = value.get("id")
        ocds_id = str(ocds_id).strip() if isinstance(ocds_id, str | int) else ""
        party = parties.get(ocds_id, {})
        name = _text(value.get("name"), 200) or _text(party.get("name"), 200)
        identifier = self.obj(party.get("identifier"), f"parties[{ocds_id}].identifier")
        scheme_id = identifier.get("id")
        code = str(scheme_id).strip() if isinstance(scheme_id, str | int) else ""
        if not name and not ocds_id:
            self.problem(path, "an organisation reference with neither id nor name", value)
            return None
        if not name:
            self.problem(f"{path}.name", "no name, here or in parties: the profile is named by the id", ocds_id)
        return OrgRef(ocds_id=ocds_id[:200], name=name or ocds_id[:200], identifier=code[:40])


def _classification(items: list[Any]) -> str:
    for item in items:
        if isinstance(item, dict):
            value = (item.get("classification") or {}) if isinstance(item.get("classification"), dict) else {}
            if isinstance(value.get("id"), str | int) and str(value["id"]).strip():
                return str(value["id"]).strip()[:60]
    return ""


def parse_release(release: Any) -> ParsedRelease:
    """Read a compiled release; unreadable fields become problems and the rest of the record is kept.

    Raises ReleaseError only when it is not a compiled release (not an object, or no ocid).
    """
    if not isinstance(release, dict):
        raise ReleaseError("__all__", "not a JSON object")
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip():
        raise ReleaseError("ocid", "a compiled release needs an ocid")
    if len(ocid) > 200:
        raise ReleaseError("ocid", "the ocid is longer than 200 characters")
    read = _Reader()
    parties: dict[str, dict] = {}
    for index, party in enumerate(read.array(release.get("parties"), "parties")):
        if isinstance(party, dict) and isinstance(party.get("id"), str | int):
            parties.setdefault(str(party["id"]).strip(), party)
        else:
            read.problem(f"parties[{index}]", "a party without an id", party)
    tender = read.obj(release.get("tender"), "tender")
    period = read.obj(tender.get("tenderPeriod"), "tender.tenderPeriod")
    value, currency = read.money(tender.get("value"), "tender.value")
    parsed = ParsedRelease(
        ocid=ocid.strip(),
        title=_text(tender.get("title"), 500),
        buyer=read.org(release.get("buyer"), "buyer", parties),
        procuring_entity=read.org(tender.get("procuringEntity"), "tender.procuringEntity", parties),
        procurement_method=_text(tender.get("procurementMethod"), 60),
        procurement_method_details=_text(tender.get("procurementMethodDetails"), 200),
        main_category=_text(tender.get("mainProcurementCategory"), 20),
        status=_text(tender.get("status"), 60),
        tender_start=read.date(period.get("startDate"), "tender.tenderPeriod.startDate"),
        tender_end=read.date(period.get("endDate"), "tender.tenderPeriod.endDate"),
        tender_value=value,
        tender_currency=currency,
        release_date=read.date(release.get("date"), "date"),
        classification=_classification(read.array(tender.get("items"), "tender.items")),
    )
    if parsed.buyer is None:
        read.problem("buyer", "no buyer")
    number = tender.get("numberOfTenderers")
    if number is not None:
        if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
            parsed.number_of_tenderers = number
        else:
            read.problem("tender.numberOfTenderers", "not a non-negative integer", number)
    for index, lot in enumerate(read.array(tender.get("lots"), "tender.lots")):
        lot = read.obj(lot, f"tender.lots[{index}]")
        amount, lot_currency = read.money(lot.get("value"), f"tender.lots[{index}].value")
        if lot.get("id") is not None and amount is not None and lot_currency:
            parsed.lot_values[str(lot["id"])] = (amount, lot_currency)
    bids = read.obj(release.get("bids"), "bids")
    for index, bid in enumerate(read.array(bids.get("details"), "bids.details")):
        path = f"bids.details[{index}]"
        bid = read.obj(bid, path)
        amount, bid_currency = read.money(bid.get("value"), f"{path}.value")
        tenderers = [
            read.org(t, f"{path}.tenderers[{i}]", parties)
            for i, t in enumerate(read.array(bid.get("tenderers"), f"{path}.tenderers"))
        ]
        parsed.bids.append(
            ParsedBid(
                bid_id=str(bid.get("id", ""))[:200],
                tenderers=tuple(t for t in tenderers if t),
                amount=amount,
                currency=bid_currency,
                date=read.date(bid.get("date"), f"{path}.date"),
                status=_text(bid.get("status"), 40),
            )
        )
    for index, award in enumerate(read.array(release.get("awards"), "awards")):
        path = f"awards[{index}]"
        award = read.obj(award, path)
        amount, award_currency = read.money(award.get("value"), f"{path}.value")
        suppliers = read.array(award.get("suppliers"), f"{path}.suppliers")
        refs = [read.org(s, f"{path}.suppliers[{i}]", parties) for i, s in enumerate(suppliers)]
        parsed.awards.append(
            ParsedAward(
                award_id=str(award.get("id", ""))[:200],
                suppliers=tuple(r for r in refs if r),
                amount=amount,
                currency=award_currency,
                date=read.date(award.get("date"), f"{path}.date"),
                status=_text(award.get("status"), 40),
                classification=_classification(read.array(award.get("items"), f"{path}.items"))
                or parsed.classification,
                lot_ids=tuple(str(lot) for lot in read.array(award.get("relatedLots"), f"{path}.relatedLots")),
            )
        )
    for index, contract in enumerate(read.array(release.get("contracts"), "contracts")):
        path = f"contracts[{index}]"
        contract = read.obj(contract, path)
        amount, contract_currency = read.money(contract.get("value"), f"{path}.value")
        amendments = []
        for i, amendment in enumerate(read.array(contract.get("amendments"), f"{path}.amendments")):
            amendment = read.obj(amendment, f"{path}.amendments[{i}]")
            amendments.append(
                (
                    str(amendment.get("id", ""))[:200],
                    read.date(amendment.get("date"), f"{path}.amendments[{i}].date"),
                    _text(amendment.get("rationale"), 2000),
                )
            )
        parsed.contracts.append(
            ParsedContract(
                contract_id=str(contract.get("id", ""))[:200],
                award_id=str(contract.get("awardID", ""))[:200],
                amount=amount,
                currency=contract_currency,
                date_signed=read.date(contract.get("dateSigned"), f"{path}.dateSigned"),
                status=_text(contract.get("status"), 40),
                amendments=tuple(amendments),
            )
        )
    parsed.problems = read.problems
    return parsed


def lot_values(release: dict[str, Any]) -> dict[str, tuple[Decimal, str]]:
    """The estimated value of each lot that has one: lot id → (amount, currency)."""
    read = _Reader()
    tender = read.obj(release.get("tender"), "tender")
    values = {}
    for index, lot in enumerate(read.array(tender.get("lots"), "tender.lots")):
        lot = read.obj(lot, f"tender.lots[{index}]")
        amount, currency = read.money(lot.get("value"), f"tender.lots[{index}].value")
        if lot.get("id") is not None and amount is not None and currency:
            values[str(lot["id"])] = (amount, currency)
    return values


def organisation_refs(parsed: ParsedRelease) -> list[OrgRef]:
    """The organisations a release names: buyer, procuring entity, tenderers, suppliers (in that order)."""
    refs = [parsed.buyer, parsed.procuring_entity]
    refs += [t for bid in parsed.bids for t in bid.tenderers]
    refs += [s for award in parsed.awards for s in award.suppliers]
    return [ref for ref in refs if ref is not None]


def org_refs(parsed: ParsedRelease) -> set[str]:
    """The OCDS ids of the organisations a release names."""
    return {ref.ocds_id for ref in organisation_refs(parsed) if ref.ocds_id}
