import csv
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from petitions.models import WorkingDayOverride

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "workdays_cn.csv"


class Command(BaseCommand):
    help = "Load public holidays and make-up working days (CSV: date,working,name). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT))

    def handle(self, *args, path: str, **options):
        rows = []
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                for line, record in enumerate(csv.DictReader(handle), start=2):
                    try:
                        day = date.fromisoformat(record["date"].strip())
                        working = record["working"].strip() in {"1", "true", "yes"}
                    except (KeyError, ValueError, AttributeError) as error:
                        raise CommandError(f"{path}:{line}: expected date,working,name — {error}") from error
                    rows.append((day, working, (record.get("name") or "").strip()[:40]))
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file")
        created = updated = 0
        with transaction.atomic():
            for day, working, name in rows:
                _, was_created = WorkingDayOverride.objects.update_or_create(
                    day=day, defaults={"is_working_day": working, "name": name}
                )
                created += was_created
                updated += not was_created
        self.stdout.write(f"calendar: {len(rows)} days read, {created} created, {updated} updated")
