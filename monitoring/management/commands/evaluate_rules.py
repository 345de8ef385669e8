import time

from django.core.management.base import BaseCommand

from monitoring.land.services import reevaluate_land


class Command(BaseCommand):
    help = "Batch re-evaluation: every land record against the whole population. Raises no duplicate alert."

    def handle(self, *args, **options):
        started = time.monotonic()
        records, raised = reevaluate_land()
        self.stdout.write(
            f"land: {records} records evaluated, {raised} new alerts in {time.monotonic() - started:.1f} s"
        )
