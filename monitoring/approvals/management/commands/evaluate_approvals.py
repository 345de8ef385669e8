import time

from django.core.management.base import BaseCommand

from monitoring.approvals.services import reevaluate_approvals


class Command(BaseCommand):
    help = (
        "Batch re-evaluation of the approval rules: every case against the cases that entered the record "
        "before it (the population it met on arrival). Raises no duplicate alert."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        cases, raised = reevaluate_approvals(progress=lambda n, total: self.stdout.write(f"  {n}/{total} cases…"))
        self.stdout.write(
            f"approvals: {cases} cases evaluated, {raised} new alerts in {time.monotonic() - started:.1f} s"
        )
