"""Demo content: generated approval cases in Baoding and elsewhere in Hebei, evaluated as they arrive.

The cases are received over the 300 days from a year ago (`generator.generate_cases`: uniform over the span,
working days only) and each is pushed when it is complete, so their dates lie in the last twelve months and
move with the day the demo is loaded. A case that would not be complete by now is not pushed yet.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from monitoring.approvals.generator import generate_cases
from monitoring.approvals.models import ApprovalCase
from monitoring.approvals.services import current_evaluation, ingest_approval

DEMO_COUNT = 300
DEMO_SEED = 2026
DEMO_ANOMALY_RATE = 0.12
DEMO_YEAR_DAYS = 365  # the first case is received this many days ago
DEMO_SPAN_DAYS = 300  # …and the last about this many days later, leaving time for it to be decided


def demo_records(today: date, count: int = DEMO_COUNT) -> list[dict]:
    """The demo's generated cases as of `today`, complete before its start (deterministic per day)."""
    records = generate_cases(
        count=count,
        seed=DEMO_SEED,
        anomaly_rate=DEMO_ANOMALY_RATE,
        start=today - timedelta(days=DEMO_YEAR_DAYS),
        span_days=DEMO_SPAN_DAYS,
    )
    return [record for record in records if _complete(record) < today]


def _complete(record: dict) -> date:
    moments = [record["decided_at"], *(step["finished_at"] for step in record["steps"])]
    return max(datetime.fromisoformat(moment) for moment in moments if moment).date()


def load_approvals(count: int = DEMO_COUNT) -> int:
    """Generate and ingest the demo cases once (a fixed seed: the same cases every time). Returns how many."""
    if ApprovalCase.objects.filter(source=None).exists():
        return 0
    records = demo_records(timezone.localdate(), count)
    evaluation = current_evaluation()
    for record in records:
        ingest_approval(record, evaluation=evaluation)
    return len(records)
