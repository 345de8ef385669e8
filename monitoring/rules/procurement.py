"""Procurement indicators over OCDS compiled releases, in a Cardinal-compatible mode (cardinal-rs 0.0.8).

Pure functions: a release (a dict) and settings go in, a flag (or None) comes out. Implemented so far:
R003 (short submission period) and R018 (single bid). The other nine Cardinal indicators need the
population of all processes (fences) and bid details; they are not built yet.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from typing import Any

from monitoring.ocds import parse_rfc3339

COMPETITIVE_METHODS = frozenset({"open", "selective"})


@dataclass
class CardinalSettings:
    """The parts of Cardinal's settings file (INI) that the implemented indicators read."""

    enabled: set[str] = field(default_factory=lambda: {"R003", "R018"})
    excluded_method_details: set[str] = field(default_factory=set)
    r003_threshold: int = 15
    r003_methods: set[str] | None = None  # None: every method
    r003_thresholds_by_details: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_ini(cls, text: str) -> CardinalSettings:
        parser = configparser.ConfigParser(inline_comment_prefixes=(";",), interpolation=None)
        parser.optionxform = str  # keys are case-sensitive codelist values
        # Cardinal's file may open with keys outside any section; configparser wants one.
        parser.read_string("[top]\n" + text)
        settings = cls(enabled={name for name in parser.sections() if name in {"R003", "R018"}})
        if parser.has_option("exclusions", "procurement_method_details"):
            settings.excluded_method_details = set(parser.get("exclusions", "procurement_method_details").split("|"))
        if parser.has_section("R003"):
            settings.r003_threshold = parser.getint("R003", "threshold", fallback=15)
            methods = parser.get("R003", "procurement_methods", fallback="")
            settings.r003_methods = set(methods.split("|")) if methods else None
        if parser.has_section("R003.procurement_method_details"):
            settings.r003_thresholds_by_details = {
                key: int(value) for key, value in parser.items("R003.procurement_method_details")
            }
        return settings


def _excluded(release: dict[str, Any], settings: CardinalSettings) -> bool:
    details = (release.get("tender") or {}).get("procurementMethodDetails")
    return bool(details) and details in settings.excluded_method_details


def r003_short_submission_period(
    release: dict[str, Any], settings: CardinalSettings, *, compat: bool = True
) -> dict | None:
    """Whole days between the tender period's start and end below the threshold (per method details if set)."""
    tender = release.get("tender") or {}
    if settings.r003_methods is not None and tender.get("procurementMethod") not in settings.r003_methods:
        return None
    period = tender.get("tenderPeriod") or {}
    start = parse_rfc3339(period.get("startDate"), require_offset=compat)
    end = parse_rfc3339(period.get("endDate"), require_offset=compat)
    if start is None or end is None:
        return None
    days = (end - start).days  # whole days, rounded down
    threshold = settings.r003_thresholds_by_details.get(tender.get("procurementMethodDetails"), settings.r003_threshold)
    if days >= threshold:
        return None
    return {"days": days, "threshold": threshold, "start": period.get("startDate"), "end": period.get("endDate")}


def r018_single_bid(release: dict[str, Any], settings: CardinalSettings, *, compat: bool = True) -> dict | None:
    """An open or selective procedure with one tenderer.

    Cardinal trusts `tender.numberOfTenderers`; the default mode counts distinct tenderers in
    `bids.details` when there are bids, since the declared number is often missing or wrong.
    """
    tender = release.get("tender") or {}
    if tender.get("procurementMethod") not in COMPETITIVE_METHODS:
        return None
    declared = tender.get("numberOfTenderers")
    if compat:
        return {"numberOfTenderers": declared} if declared == 1 else None
    tenderers = {
        tenderer.get("id")
        for bid in ((release.get("bids") or {}).get("details") or [])
        for tenderer in (bid.get("tenderers") or [])
        if tenderer.get("id")
    }
    count = len(tenderers) if tenderers else declared
    return {"tenderers": count, "numberOfTenderers": declared} if count == 1 else None


INDICATORS = {"R003": r003_short_submission_period, "R018": r018_single_bid}


def evaluate_release(release: dict[str, Any], settings: CardinalSettings, *, compat: bool = True) -> dict[str, dict]:
    """The implemented indicators that flag this release, each with its evidence."""
    if _excluded(release, settings):
        return {}
    flags = {}
    for code, indicator in INDICATORS.items():
        if code in settings.enabled and (evidence := indicator(release, settings, compat=compat)) is not None:
            flags[code] = evidence
    return flags
