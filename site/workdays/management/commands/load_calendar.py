from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workdays.calendar import HOLIDAYS_CSV, CalendarFileError, read_calendar_csv
from workdays.models import WorkingDayOverride


class Command(BaseCommand):
    help = "Load public holidays and make-up working days (CSV: date,working,name). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(HOLIDAYS_CSV))

    def handle(self, *args, path: str, **options):
        try:
            rows = read_calendar_csv(path)
        except CalendarFileError as error:
            raise CommandError(str(error)) from error
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
