"""Precision and recall of the approval rules against the generator's labels. Pure: no database.

Cases are evaluated in the order they concluded, each against the cases before it, as on arrival.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from monitoring.approvals.records import ApprovalRecord, parse_approval_record
from monitoring.approvals.rules import (
    APPROVAL_RULES,
    ApprovalContext,
    applicant_key,
    order_at,
    person_keys,
    processing_hours,
    related_case,
)
from monitoring.pipeline import RuleConfig, evaluate
from workdays.calendar import WorkingCalendar

LABEL_RULES = {
    "overdue_legal": "A001",
    "overdue_promised": "A002",
    "step_overdue": "A003",
    "repeated_corrections": "A004",
    "correction_late": "A005",
    "too_fast": "A006",
    "steps_out_of_order": "A007",
    "step_missing": "A007",
    "related_same_handler": "A008",
}


@dataclass(frozen=True)
class Score:
    label: str
    rule: str
    labelled: int
    flagged: int
    true_positives: int
    false_positives: int

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.labelled if self.labelled else None

    @property
    def precision(self) -> float | None:
        return (self.flagged - self.false_positives) / self.flagged if self.flagged else None


def findings_in_order(
    raws: Sequence[dict], calendar: WorkingCalendar, today: date, configs: dict | None = None
) -> list[set[str]]:
    """The rule codes raised on each record, each judged against the records before it."""
    records: list[ApprovalRecord] = [parse_approval_record(raw) for raw in raws]
    order = sorted(range(len(records)), key=lambda i: order_at(records[i]))
    hours: dict[str, tuple[list, list[float]]] = defaultdict(lambda: ([], []))
    by_applicant: dict[str, list[int]] = defaultdict(list)
    by_person: dict[str, list[int]] = defaultdict(list)
    configs = configs or {rule.code: RuleConfig.default(rule) for rule in APPROVAL_RULES}
    result: list[set[str]] = [set() for _ in records]
    for i in order:
        record = records[i]
        at = order_at(record)
        times, values = hours[record.matter_code]
        candidates = set(by_applicant[applicant_key(record)])
        for key in person_keys(record):
            candidates.update(by_person[key])
        earlier = sorted((j for j in candidates if order_at(records[j]) < at), key=lambda j: order_at(records[j]))
        context = ApprovalContext(
            today=today,
            calendar=calendar,
            peers=values[: bisect.bisect_left(times, at)],
            peer_scope=record.matter_code,
            related=[found for j in earlier if (found := related_case(record, records[j])) is not None],
        )
        result[i] = {finding.rule_code for finding in evaluate(APPROVAL_RULES, record, context, configs)}
        spent = processing_hours(record, calendar)
        if record.outcome == "approved" and spent is not None:
            position = bisect.bisect_right(times, at)
            times.insert(position, at)
            values.insert(position, spent)
        by_applicant[applicant_key(record)].append(i)
        for key in person_keys(record):
            by_person[key].append(i)
    return result


def score(raws: Sequence[dict], flagged: Sequence[set[str]]) -> list[Score]:
    scores = []
    for label, rule in LABEL_RULES.items():
        siblings = {other for other, code in LABEL_RULES.items() if code == rule}
        labelled = [label in raw.get("_labels", ()) for raw in raws]
        fired = [rule in codes for codes in flagged]
        scores.append(
            Score(
                label=label,
                rule=rule,
                labelled=sum(labelled),
                flagged=sum(fired),
                true_positives=sum(1 for lab, hit in zip(labelled, fired, strict=True) if lab and hit),
                false_positives=sum(
                    1
                    for raw, hit in zip(raws, fired, strict=True)
                    if hit and not siblings & set(raw.get("_labels", ()))
                ),
            )
        )
    return scores
