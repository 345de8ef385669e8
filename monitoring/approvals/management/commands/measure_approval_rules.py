import time
from datetime import date

from django.core.management.base import BaseCommand

from monitoring.approvals.generator import generate_cases
from monitoring.approvals.measure import findings_in_order, score
from workdays.calendar import calendar_from_csv


class Command(BaseCommand):
    help = "Precision and recall of the approval rules on generated cases, per anomaly type (no database writes)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--anomaly-rate", type=float, default=0.08)

    def handle(self, *args, count: int, seed: int, anomaly_rate: float, **options):
        started = time.monotonic()
        calendar = calendar_from_csv()
        raws = generate_cases(count=count, seed=seed, anomaly_rate=anomaly_rate, calendar=calendar)
        self.stdout.write(f"generated {len(raws)} cases in {time.monotonic() - started:.1f} s; evaluating…")
        flagged = findings_in_order(raws, calendar, today=date(2027, 1, 1))
        self.stdout.write(
            f"{'label':<22} {'rule':<5} {'labelled':>8} {'flagged':>8} {'TP':>6} {'FP':>5} {'precision':>9} {'recall':>7}"
        )
        for s in score(raws, flagged):
            precision = f"{s.precision:.3f}" if s.precision is not None else "—"
            recall = f"{s.recall:.3f}" if s.recall is not None else "—"
            self.stdout.write(
                f"{s.label:<22} {s.rule:<5} {s.labelled:>8} {s.flagged:>8} {s.true_positives:>6} "
                f"{s.false_positives:>5} {precision:>9} {recall:>7}"
            )
        self.stdout.write(f"done in {time.monotonic() - started:.1f} s")
