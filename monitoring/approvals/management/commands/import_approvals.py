import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from monitoring.approvals.services import current_evaluation, ingest_approval
from monitoring.models import Domain, SourceSystem
from monitoring.services import IngestError


class Command(BaseCommand):
    help = (
        "Import administrative approval cases (JSON Lines, one case per line), evaluating the rules as each "
        "arrives. Streams the file; upserts by case number, so importing again duplicates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .jsonl file, one case per line ('-' for standard input)")
        parser.add_argument("--source", default="", help="name of the approval source system the cases come from")
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args, path: str, source: str, quiet: bool, **options):
        system = None
        if source:
            system = SourceSystem.objects.filter(name=source, domain=Domain.APPROVAL).first()
            if system is None:
                raise CommandError(f"no approval source system named {source!r} (create_source NAME --domain approval)")
        try:
            handle = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}")
        evaluation = current_evaluation()
        started = time.monotonic()
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        alerts = 0
        problems: list[str] = []
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    _, status, raised = ingest_approval(json.loads(line), source=system, evaluation=evaluation)
                except json.JSONDecodeError as error:
                    problems.append(f"line {number}: not JSON ({error.msg})")
                    continue
                except IngestError as error:
                    problems.append(f"line {number}: {error}")
                    continue
                counts[status] += 1
                alerts += len(raised)
                if not quiet and number % 500 == 0:
                    self.stdout.write(f"  {number} lines, {alerts} new alerts…")
        for problem in problems:
            self.stderr.write(problem)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"approvals: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged, "
            f"{len(problems)} skipped, {alerts} new alerts "
            f"in {seconds:.1f} s"
        )
