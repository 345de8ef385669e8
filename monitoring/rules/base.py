"""The rule contract: a stable code, a bilingual description, a severity, parameters, and evidence.

A rule's `evaluate` is pure: a parsed record and its population go in, a Finding (or None) comes out.
No ORM inside; the incremental path (on arrival) and the batch path (re-evaluation) share it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Finding:
    rule_code: str
    severity: str
    title: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class Context:
    """What a rule may compare a record with: the population so far, and today."""

    today: Any = None
    peers: Sequence[float] = field(default_factory=tuple)
    peer_scope: str = ""


class Rule:
    code: ClassVar[str]
    domain: ClassVar[str]
    title: ClassVar[str]  # a translatable string
    description: ClassVar[str]
    basis: ClassVar[str] = ""  # the law or practice the rule rests on
    default_severity: ClassVar[str] = "yellow"
    default_params: ClassVar[dict[str, Any]] = {}
    needs_peers: ClassVar[bool] = False
    # What a finding is about, for the domain's adapter to name the alert's record: "record" (the record judged),
    # or a scope the domain defines (procurement's "pair": a buyer and the supplier named in the evidence).
    scope: ClassVar[str] = "record"

    def evaluate(self, record, context: Context, params: dict[str, Any], severity: str) -> Finding | None:
        raise NotImplementedError

    def finding(self, severity: str, evidence: dict[str, Any], title: str | None = None) -> Finding:
        return Finding(rule_code=self.code, severity=severity, title=str(title or self.title), evidence=evidence)
