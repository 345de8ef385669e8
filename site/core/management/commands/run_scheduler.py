"""Run the periodic jobs the apps declare (core.schedule): the production `scheduler` service."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core import schedule
from core.models import JobRun
from core.scheduler import build, first_run_delay, run_job


class Command(BaseCommand):
    help = "Run every registered periodic job on its clock (blocking). --list shows them; --once NAME runs one now."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="List the jobs, their clocks and last runs, and exit.")
        parser.add_argument("--once", metavar="NAME", help="Run one job now (unless another process runs it) and exit.")

    def handle(self, *args, list: bool, once: str | None, **options):  # noqa: A002 - the option's name
        if list:
            self._list()
        elif once:
            self._once(once)
        else:
            self._serve()

    def _list(self) -> None:
        runs = {run.name: run for run in JobRun.objects.all()}
        for job in schedule.jobs():
            clock = f"every {job.every}" if job.every is not None else f"cron {job.cron}"
            run = runs.get(job.name)
            last = "never run"
            if run is not None and run.last_finished is not None:
                last = f"last {run.last_finished:%Y-%m-%d %H:%M} UTC: {run.last_error or run.last_result}"
            self.stdout.write(f"{job.name:32} {clock:22} {last}\n    {job.description}")

    def _once(self, name: str) -> None:
        try:
            outcome = run_job(name)
        except KeyError as error:
            raise CommandError(error.args[0]) from error
        if not outcome.ran:
            self.stdout.write(f"{name}: running in another process; skipped")
        elif outcome.error:
            raise CommandError(f"{name} failed: {outcome.error}")
        else:
            self.stdout.write(self.style.SUCCESS(f"{name}: {outcome.summary}"))

    def _serve(self) -> None:
        import signal
        import sys

        from apscheduler.schedulers.blocking import BlockingScheduler

        scheduler = build(BlockingScheduler, first_run_delay=first_run_delay())
        # `docker compose stop` sends SIGTERM: let a running job finish (and release its lease) before leaving.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        self.stdout.write(f"scheduler: {len(schedule.jobs())} periodic jobs; Ctrl-C stops")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            self.stdout.write("scheduler: stopping after the jobs running now")
            scheduler.shutdown(wait=True)
