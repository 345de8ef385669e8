"""Demo content: generated approval cases in Baoding and elsewhere in Hebei, evaluated as they arrive."""

from __future__ import annotations

from monitoring.approvals.generator import generate_cases
from monitoring.approvals.models import ApprovalCase
from monitoring.approvals.services import current_evaluation, ingest_approval

DEMO_COUNT = 300
DEMO_SEED = 2026
DEMO_ANOMALY_RATE = 0.12


def load_approvals(count: int = DEMO_COUNT) -> int:
    """Generate and ingest the demo cases once (a fixed seed: the same cases every time). Returns how many."""
    records = generate_cases(count=count, seed=DEMO_SEED, anomaly_rate=DEMO_ANOMALY_RATE)
    if not records or ApprovalCase.objects.filter(source=None, case_number=records[-1]["case_number"]).exists():
        return 0
    evaluation = current_evaluation()
    for record in records:
        ingest_approval(record, evaluation=evaluation)
    return len(records)
