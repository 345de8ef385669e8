from django.core.management.base import BaseCommand, CommandError

from core import schedule
from core.scheduler import run_job


class Command(BaseCommand):
    help = (
        "Run the deadline jobs now (reports, petitions, verification tasks: reminder → yellow → red). "
        "The scheduler runs them on its own (`make run`, the `scheduler` service); this is for a run by hand."
    )

    def handle(self, *args, **options):
        failed = []
        for job in schedule.jobs(tag="deadlines"):
            outcome = run_job(job.name)
            if not outcome.ran:
                self.stdout.write(f"{job.name}: running in another process; skipped")
            elif outcome.error:
                failed.append(job.name)
                self.stderr.write(f"{job.name}: failed: {outcome.error}")
            else:
                self.stdout.write(f"{job.name}: {outcome.summary}")
        if failed:
            raise CommandError(f"{len(failed)} deadline jobs failed: {', '.join(failed)}")
