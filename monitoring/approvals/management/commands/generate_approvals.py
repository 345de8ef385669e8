import json
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from monitoring.approvals.generator import DEFAULT_START, generate_cases, label_counts
from monitoring.approvals.services import current_evaluation, ingest_approval
from monitoring.services import IngestError


class Command(BaseCommand):
    help = (
        "Generate realistic administrative approval cases with labelled anomalies (under _labels). "
        "With --out, write JSON Lines; without, ingest them (rules evaluated on arrival)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--anomaly-rate", type=float, default=0.08, help="share of cases with an injected anomaly")
        parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, help="first day (YYYY-MM-DD)")
        parser.add_argument("--out", default="", help="a .jsonl file to write instead of ingesting")

    def handle(self, *args, count: int, seed: int, anomaly_rate: float, start: date, out: str, **options):
        if count < 0:
            raise CommandError("--count must not be negative")
        if not 0 <= anomaly_rate <= 1:
            raise CommandError("--anomaly-rate must be between 0 and 1")
        started = time.monotonic()
        records = generate_cases(count=count, seed=seed, anomaly_rate=anomaly_rate, start=start)
        labels = ", ".join(f"{k} {v}" for k, v in label_counts(records).items())
        if out:
            with open(out, "w", encoding="utf-8") as handle:
                for record in records:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.stdout.write(f"approvals: {len(records)} cases written to {out} ({labels})")
            return
        evaluation = current_evaluation()
        created = alerts = 0
        for number, record in enumerate(records, start=1):
            try:
                _, status, raised = ingest_approval(record, evaluation=evaluation)
            except IngestError as error:
                raise CommandError(f"case {number} ({record.get('case_number')}): {error}") from error
            created += status == "created"
            alerts += len(raised)
            if number % 500 == 0:
                self.stdout.write(f"  {number}/{len(records)} cases…")
        self.stdout.write(
            f"approvals: {len(records)} generated ({labels}); {created} created, {alerts} new alerts "
            f"in {time.monotonic() - started:.1f} s"
        )
