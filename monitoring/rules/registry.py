"""The monitoring domains and every rule, by code: the one list the pages, the settings screen and the
explanations read.

A domain registers itself once, from its AppConfig.ready (land from `monitoring.apps`, procurement and approvals
from their own apps): its code, its rules in catalogue order, and its ingest endpoint (a ninja router, mounted
by `monitoring.api` under `/api/monitoring/<path>`). Land (L001–L005), procurement (P101–P104 and Cardinal's
indicators R003…R058) and approval (A001–A008) register in that order (the order of INSTALLED_APPS).

This module imports no domain, so a domain never depends on another (import-linter contract
`monitoring-domains`): the alert loop, the views and the admin read what was registered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitoring.rules.base import Rule


@dataclass(frozen=True)
class MonitoringDomain:
    """A domain as the pipeline and the pages see it."""

    code: str  # one of monitoring.models.Domain: the alerts' and source systems' domain
    rules: tuple[Rule, ...]
    api_path: str = ""  # mounted at /api/monitoring/<api_path>
    api_router: str = ""  # dotted path of its ninja router (imported when the API is built)


_DOMAINS: dict[str, MonitoringDomain] = {}
# Filled in place by `register`, so that `from monitoring.rules.registry import RULES` sees every domain.
ALL_RULES: list[Rule] = []
RULES: dict[str, Rule] = {}
DOMAINS: list[str] = []


def register(code: str, *, rules: Sequence[Rule], api_path: str = "", api_router: str = "") -> MonitoringDomain:
    """Register a monitoring domain: its rules join the catalogue, its endpoint the API. Once per code."""
    domain = MonitoringDomain(code=code, rules=tuple(rules), api_path=api_path, api_router=api_router)
    if code in _DOMAINS:
        if _DOMAINS[code] == domain:
            return domain  # ready() may run twice (tests that reload apps)
        raise ValueError(f"monitoring domain {code!r} is registered twice")
    for rule in domain.rules:
        if rule.code in RULES:
            raise ValueError(f"rule {rule.code} is registered twice")
        if rule.domain != code:
            raise ValueError(f"rule {rule.code} is of domain {rule.domain!r}, registered under {code!r}")
    _DOMAINS[code] = domain
    DOMAINS.append(code)
    ALL_RULES.extend(domain.rules)
    RULES.update((rule.code, rule) for rule in domain.rules)
    return domain


def domains() -> list[MonitoringDomain]:
    """The registered domains, in registration order."""
    return list(_DOMAINS.values())


def get(code: str) -> Rule | None:
    """The rule of this code, or None for a code no rule has (an alert of a rule since removed)."""
    return RULES.get(code)


def title(code: str) -> str:
    """The rule's short title in the active language; the code itself only for an unknown rule."""
    rule = RULES.get(code)
    return str(rule.title) if rule is not None else code


def by_domain(domain: str) -> list[Rule]:
    return [rule for rule in ALL_RULES if rule.domain == domain]


def choices() -> list[tuple[str, str]]:
    """(code, "code · title") for selects: every rule, in catalogue order."""
    return [(rule.code, f"{rule.code} · {rule.title}") for rule in ALL_RULES]
