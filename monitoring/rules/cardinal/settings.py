"""Cardinal's settings file (INI), as `ocdscardinal init` writes it, for the `indicators` command.

Keys may sit above any section (`currency`, `no_price_comparison_procurement_methods`, ...); a section
`[R024]` enables that indicator, with its parameters inside; `[R003.procurement_method_details]` maps
`procurementMethodDetails` values to thresholds. Sections for `prepare` (`[defaults]`, `[codelists.*]`, ...)
are read by `monitoring.rules.prepare.PrepareSettings`; unknown sections are ignored.
"""

from __future__ import annotations

import configparser
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

N = TypeVar("N", int, float)

ALL_INDICATORS = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")


class _CaseSensitiveParser(configparser.ConfigParser):
    def optionxform(self, optionstr: str) -> str:
        return optionstr  # keys are case-sensitive codelist values


def read_ini(text: str) -> configparser.ConfigParser:
    """Parse Cardinal's INI: case-sensitive keys, `;` comments, keys allowed before the first section."""
    parser = _CaseSensitiveParser(inline_comment_prefixes=(";", "#"), interpolation=None, strict=False)
    parser.read_string("[top]\n" + text)
    return parser


def pipe_set(value: str | None) -> set[str]:
    """Cardinal's `a|b|c` values (`split_terminator`: a trailing `|` adds nothing)."""
    if not value:
        return set()
    parts = value.split("|")
    if parts and parts[-1] == "":
        parts.pop()
    return set(parts)


def _number(parser: configparser.ConfigParser, section: str, key: str, kind: Callable[[str], N]) -> N | None:
    value = parser.get(section, key, fallback=None)
    if value in (None, ""):
        return None
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"[{section}] {key} = {value!r}: not {'an integer' if kind is int else 'a number'}")


def _float(parser: configparser.ConfigParser, section: str, key: str) -> float | None:
    return _number(parser, section, key, float)


def _int(parser: configparser.ConfigParser, section: str, key: str) -> int | None:
    return _number(parser, section, key, int)


@dataclass
class CardinalSettings:
    """What the indicators read. Defaults are Cardinal's; `minimum_population` is the default mode's own guard."""

    enabled: set[str] = field(default_factory=lambda: set(ALL_INDICATORS))
    currency: str | None = None
    no_price_comparison_methods: set[str] = field(default_factory=set)
    price_comparison_methods: set[str] = field(default_factory=set)
    excluded_method_details: set[str] = field(default_factory=set)
    r003_threshold: int = 15
    r003_methods: set[str] | None = None  # None: every method
    r003_thresholds_by_details: dict[str, int] = field(default_factory=dict)
    r018_methods: set[str] = field(default_factory=lambda: {"open", "selective"})
    r024_threshold: float | None = None  # None: the lower fence Q1 − 1.5·IQR
    r025_percentile: int = 75
    r025_threshold: float | None = None
    r035_threshold: int = 1
    r038_threshold: float | None = None
    r038_minimum_submitted_bids: int = 2
    r038_minimum_contracting_processes: int = 2
    r048_digits: int = 2
    r048_threshold: int | None = None
    r048_minimum_contracting_processes: int = 20
    r058_threshold: float | None = None
    # Default mode only: no fence is drawn from fewer values than this, nor from an IQR of zero.
    minimum_population: int = 8

    @classmethod
    def from_ini(cls, text: str) -> CardinalSettings:
        parser = read_ini(text)
        settings = cls(enabled={name for name in parser.sections() if name in ALL_INDICATORS})
        settings.currency = parser.get("top", "currency", fallback=None) or None
        settings.no_price_comparison_methods = pipe_set(
            parser.get("top", "no_price_comparison_procurement_methods", fallback=None)
        )
        settings.price_comparison_methods = pipe_set(
            parser.get("top", "price_comparison_procurement_methods", fallback=None)
        )
        settings.excluded_method_details = pipe_set(
            parser.get("exclusions", "procurement_method_details", fallback=None)
        )
        if parser.has_section("R003"):
            threshold = _int(parser, "R003", "threshold")
            settings.r003_threshold = 15 if threshold is None else threshold
            methods = parser.get("R003", "procurement_methods", fallback="")
            settings.r003_methods = pipe_set(methods) or None
        if parser.has_section("R003.procurement_method_details"):
            # A detail whose value is empty keeps the general threshold (as an empty `threshold` does).
            settings.r003_thresholds_by_details = {
                key: detail_threshold
                for key in parser.options("R003.procurement_method_details")
                if key not in parser.defaults()
                and (detail_threshold := _int(parser, "R003.procurement_method_details", key)) is not None
            }
        if parser.has_section("R018"):
            settings.r018_methods = pipe_set(parser.get("R018", "procurement_methods", fallback=None)) or {
                "open",
                "selective",
            }
        if parser.has_section("R024"):
            settings.r024_threshold = _float(parser, "R024", "threshold")
        if parser.has_section("R025"):
            percentile = _int(parser, "R025", "percentile")
            settings.r025_percentile = 75 if percentile is None else percentile
            settings.r025_threshold = _float(parser, "R025", "threshold")
        if parser.has_section("R035"):
            settings.r035_threshold = max(_int(parser, "R035", "threshold") or 1, 1)
        if parser.has_section("R038"):
            settings.r038_threshold = _float(parser, "R038", "threshold")
            bids = _int(parser, "R038", "minimum_submitted_bids")
            processes = _int(parser, "R038", "minimum_contracting_processes")
            settings.r038_minimum_submitted_bids = 2 if bids is None else bids
            settings.r038_minimum_contracting_processes = 2 if processes is None else processes
        if parser.has_section("R048"):
            digits = _int(parser, "R048", "digits")
            processes = _int(parser, "R048", "minimum_contracting_processes")
            settings.r048_digits = 2 if digits is None else digits
            settings.r048_threshold = _int(parser, "R048", "threshold")
            settings.r048_minimum_contracting_processes = 20 if processes is None else processes
        if parser.has_section("R058"):
            settings.r058_threshold = _float(parser, "R058", "threshold")
        return settings
