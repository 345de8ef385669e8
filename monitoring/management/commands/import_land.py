import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from monitoring.land.services import ingest_land
from monitoring.pipeline import IngestError


class Command(BaseCommand):
    help = "Import 供地结果 land-transfer records (JSON Lines), evaluating the rules as each arrives. Streams the file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .jsonl file, one record per line ('-' for standard input)")
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args, path: str, quiet: bool, **options):
        try:
            handle = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}")
        started = time.monotonic()
        created = updated = alerts = 0
        problems: list[str] = []
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    transfer, was_created, raised = ingest_land(json.loads(line))
                except json.JSONDecodeError as error:
                    problems.append(f"line {number}: not JSON ({error.msg})")
                    continue
                except IngestError as error:
                    problems.append(f"line {number}: {error}")
                    continue
                created += was_created
                updated += not was_created
                alerts += len(raised)
                if not quiet and number % 100 == 0:
                    self.stdout.write(f"  {number} lines…")
        for problem in problems:
            self.stderr.write(problem)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"land: {created} created, {updated} updated, {len(problems)} skipped, {alerts} new alerts in {seconds:.1f} s"
        )
