"""Every monitoring rule, by code: the one list the pages, the settings screen and the explanations read.

Land (L001–L005), procurement (P101–P104 and Cardinal's indicators R003…R058) and approval (A001–A008).
Each rule has a stable code, a short translatable `title`, a `description` and a `domain`.

This module sits above both record domains (it imports `monitoring.procurement.rules` and
`monitoring.approvals.rules`), so neither of those packages may import it: they are independent of each
other (import-linter contract `monitoring-domains`). The alert loop, the views and the admin read it.
"""

from __future__ import annotations

from monitoring.approvals.rules import APPROVAL_RULES
from monitoring.procurement.rules import ALL_RULES as PROCUREMENT_RULES
from monitoring.rules.base import Rule
from monitoring.rules.land import LAND_RULES

ALL_RULES: tuple[Rule, ...] = (*LAND_RULES, *PROCUREMENT_RULES, *APPROVAL_RULES)
RULES: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
DOMAINS = ("land", "procurement", "approval")


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
