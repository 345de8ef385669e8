"""How often inspectors confirm a rule's alerts: confirmed and dismissed counts and the confirmed share.

Pure: rows of (rule code, domain, region code, verdict, count) go in, tallies by rule, by domain and by
region come out. `monitoring.selectors.rule_verdicts` is the ORM adapter that reads the rows. A rule whose
alerts are mostly dismissed is one to retune; one whose alerts are mostly confirmed earns its severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

CONFIRMED = "confirmed"
DISMISSED = "dismissed"
TOO_FEW = 5  # fewer verdicts than this: the share is shown, but marked as too few to judge by


@dataclass
class Tally:
    confirmed: int = 0
    dismissed: int = 0

    def add(self, verdict: str, n: int) -> None:
        if verdict == CONFIRMED:
            self.confirmed += n
        elif verdict == DISMISSED:
            self.dismissed += n

    @property
    def decided(self) -> int:
        return self.confirmed + self.dismissed

    @property
    def ratio(self) -> float | None:
        """The confirmed share of the decided alerts; None before any decision."""
        return self.confirmed / self.decided if self.decided else None

    @property
    def percent(self) -> int | None:
        return None if self.ratio is None else round(self.ratio * 100)

    @property
    def too_few(self) -> bool:
        return 0 < self.decided < TOO_FEW


@dataclass
class RegionTally(Tally):
    code: str = ""
    name: str = ""


@dataclass
class RuleVerdicts(Tally):
    code: str = ""
    title: str = ""
    domain: str = ""
    domain_label: str = ""
    regions: list[RegionTally] = field(default_factory=list)


@dataclass
class DomainVerdicts(Tally):
    domain: str = ""
    label: str = ""
    rules: list[RuleVerdicts] = field(default_factory=list)
    regions: list[RegionTally] = field(default_factory=list)


class VerdictTable(list):
    """The domains' tallies (a list of DomainVerdicts), with the number of decided alerts in all."""

    @property
    def decided(self) -> int:
        return sum(domain.decided for domain in self)


def region_group(prefix: str) -> Callable[[str], str]:
    """The region one level below a jurisdiction (its code prefix): provinces of the country, cities of a
    province, counties of a city; a county's own code stays as it is."""
    if len(prefix) == 0:
        return lambda code: code[:2] + "0000"
    if len(prefix) == 2:
        return lambda code: code[:4] + "00"
    return lambda code: code


def tally(
    rows: Iterable[tuple[str, str, str, str, int]],
    *,
    rule_titles: Mapping[str, str],
    rule_domains: Mapping[str, str],
    domain_labels: Mapping[str, str],
    group: Callable[[str], str],
    region_names: Mapping[str, str] | None = None,
) -> VerdictTable:
    """Tallies by domain, each with its rules (every known rule, decided or not) and its regions.

    `rows` are (rule code, domain, region code, verdict, count); verdicts other than confirmed or dismissed
    are ignored. Domains follow `domain_labels`' order, rules their order in `rule_titles`, regions by code.
    """
    names = region_names or {}
    rules: dict[str, RuleVerdicts] = {
        code: RuleVerdicts(code=code, title=title, domain=rule_domains.get(code, ""))
        for code, title in rule_titles.items()
    }
    rule_regions: dict[tuple[str, str], RegionTally] = {}
    domain_regions: dict[tuple[str, str], RegionTally] = {}
    for code, domain, region, verdict, n in rows:
        if verdict not in (CONFIRMED, DISMISSED):
            continue
        rule = rules.setdefault(code, RuleVerdicts(code=code, title=rule_titles.get(code, code), domain=domain))
        rule.add(verdict, n)
        place = group(region)
        for key, store in (((code, place), rule_regions), ((rule.domain, place), domain_regions)):
            store.setdefault(key, RegionTally(code=place, name=names.get(place, place))).add(verdict, n)
    domains = VerdictTable()
    for domain, label in domain_labels.items():
        entry = DomainVerdicts(domain=domain, label=label)
        for rule in rules.values():
            if rule.domain != domain:
                continue
            rule.domain_label = label
            rule.regions = sorted((t for (c, _), t in rule_regions.items() if c == rule.code), key=lambda t: t.code)
            entry.rules.append(rule)
            entry.confirmed += rule.confirmed
            entry.dismissed += rule.dismissed
        entry.regions = sorted((t for (d, _), t in domain_regions.items() if d == domain), key=lambda t: t.code)
        if entry.rules:
            domains.append(entry)
    return domains
