"""Import OCDS compiled releases into procurement records, raising the rules' alerts.

    python manage.py import_ocds FILE [--source NAME] [--prepare INI] [--dry-run]

FILE holds compiled releases one per line, or release/record packages one per line (streamed), or one
pretty-printed package (read whole, up to 200 MB). Upserted by ocid: importing again changes nothing.
The rules beyond Cardinal run as each record arrives; Cardinal's indicators run over the source's
population after every 500 records and at the end.
"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from monitoring.models import Domain, SourceSystem
from monitoring.ocds import ReadReport
from monitoring.procurement.reading import iter_file
from monitoring.procurement.services import cardinal_pass, configure_source, ingest_release
from monitoring.services import IngestError

CHUNK = 500


class DryRun(Exception):
    """Raised to roll the whole import back after counting."""


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("path", help="the OCDS file ('-' for standard input)")
        parser.add_argument("--source", help="the procurement source system's name (created if new)")
        parser.add_argument("--prepare", help="Cardinal settings file (INI) to store for the source and apply")
        parser.add_argument("--dry-run", action="store_true", help="read, check and count; store nothing")
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args, path, source, prepare, dry_run, quiet, **options):
        if prepare and not source:
            raise CommandError("--prepare needs --source: the settings are stored for a source system")
        try:
            handle = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}")
        ini = None
        if prepare:
            try:
                ini = Path(prepare).read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"{prepare}: {error.strerror}")
        self.started = time.monotonic()
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0, "alerts": 0, "field_problems": 0}
        self.problems: list[str] = []
        try:
            with handle, transaction.atomic():
                system = self._source(source, ini)
                self._import(handle, system, quiet)
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        except IngestError as error:
            raise CommandError(str(error))
        for problem in self.problems:
            self.stderr.write(problem)
        c = self.counts
        self.stdout.write(
            f"procurement{' (dry run, nothing stored)' if dry_run else ''}: {c['created']} created, "
            f"{c['updated']} updated, {c['unchanged']} unchanged, {c['skipped']} skipped, "
            f"{c['field_problems']} unreadable fields, {c['alerts']} new alerts "
            f"in {time.monotonic() - self.started:.1f} s"
        )

    def _source(self, name, ini):
        if not name:
            return None
        system = SourceSystem.objects.filter(name=name).first()
        if system is None:
            from monitoring.services import create_source

            system, _ = create_source(name=name, domain=Domain.PROCUREMENT)
            self.stdout.write(f"source {name} created (python manage.py create_source gives a token for the API)")
        if system.domain != Domain.PROCUREMENT:
            raise CommandError(f"{name} is a source of another domain ({system.domain})")
        if ini is not None:
            configure_source(source=system, prepare_ini=ini)
        return system

    def _import(self, handle, system, quiet):
        report = ReadReport()
        pending: set[str] = set()
        for number, located in enumerate(iter_file(handle, report), start=1):
            try:
                with transaction.atomic():
                    outcome = ingest_release(located.release, source=system, cardinal_now=False)
            except IngestError as error:
                self.counts["skipped"] += 1
                self.problems.append(f"{located.where}: {getattr(error, 'field', '__all__')}: {error}")
                continue
            self.counts[outcome.status] += 1
            self.counts["alerts"] += len(outcome.alerts)
            self.counts["field_problems"] += len(outcome.problems)
            for problem in outcome.problems:
                self.problems.append(f"{located.where} ({outcome.process.ocid}): {problem.field}: {problem.message}")
            if outcome.status != "unchanged":
                pending.add(outcome.process.ocid)
            if len(pending) >= CHUNK:
                self.counts["alerts"] += len(cardinal_pass(source=system, ocids=pending))
                pending = set()
            if not quiet and number % 100 == 0:
                self.stdout.write(f"  {number} releases ({report.lines} lines)…")
        if pending:
            self.counts["alerts"] += len(cardinal_pass(source=system, ocids=pending))
        self.counts["skipped"] += len(report.problems)
        self.problems = report.problems + self.problems
