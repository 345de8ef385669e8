import time

from django.core.management.base import BaseCommand

from monitoring.procurement.services import reevaluate_procurement


class Command(BaseCommand):
    help = (
        "Batch re-evaluation: every procurement process against the whole population (the rules beyond Cardinal "
        "and Cardinal's indicators per source). Raises no duplicate alert."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        processes, raised = reevaluate_procurement()
        self.stdout.write(
            f"procurement: {processes} processes evaluated, {raised} new alerts in {time.monotonic() - started:.1f} s"
        )
