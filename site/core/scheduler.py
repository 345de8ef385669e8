"""The runner of the periodic jobs the apps declare in `core.schedule`: APScheduler 3, in process.

- `make run` (settings.SCHEDULER_AUTOSTART, on in dev only): a BackgroundScheduler inside the serving process, so
  a job's live events reach the browsers through the in-memory channel layer and nobody starts a second process.
- Production: `manage.py run_scheduler`, a BlockingScheduler in a service of its own (docker-compose.yml).

Every run first takes a lease on the job's `JobRun` row (one conditional UPDATE): two processes — a second
scheduler, a `run_scheduler --once` by hand, a dev server next to the service — never run one job at once; the one
that finds it leased skips that run. Jobs are idempotent, so a skipped, late or repeated run does no harm, and each
job runs once shortly after the scheduler starts to catch up on what it missed while stopped.
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone, translation

from core import schedule
from core.models import JobRun

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=30)  # a run that crashed its process stops holding the job after this long
FIRST_RUN_DELAY = timedelta(seconds=10)  # after start, each job runs once (staggered) to catch up


def first_run_delay() -> timedelta:
    """How soon after start the jobs catch up: settings.SCHEDULER_FIRST_RUN_DELAY seconds, else FIRST_RUN_DELAY."""
    seconds = getattr(settings, "SCHEDULER_FIRST_RUN_DELAY", None)
    return FIRST_RUN_DELAY if seconds is None else timedelta(seconds=seconds)


@dataclass(frozen=True)
class Outcome:
    name: str
    ran: bool  # False: another process held the job, this run was skipped
    summary: str = ""
    error: str = ""


def summarise(result: object) -> str:
    """A short line for what a job returned (a count, a list of what changed, a dict of counts)."""
    if result is None:
        return "done"
    if isinstance(result, list | tuple | set):
        return f"{len(result)} changed"
    if isinstance(result, dict):
        return ", ".join(f"{key} {value}" for key, value in result.items())[:500]
    return str(result)[:500]


def _job(name: str) -> schedule.Job:
    found = {job.name: job for job in schedule.jobs()}.get(name)
    if found is None:
        raise KeyError(f"no periodic job named {name!r}; known: {', '.join(j.name for j in schedule.jobs())}")
    return found


def _acquire(name: str, token: str) -> bool:
    now = timezone.now()
    JobRun.objects.get_or_create(name=name)
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    return JobRun.objects.filter(free, name=name).update(lease_until=now + LEASE, owner=token, last_started=now) == 1


def _release(name: str, token: str, *, summary: str = "", error: str = "") -> None:
    JobRun.objects.filter(name=name, owner=token).update(
        lease_until=None,
        owner="",
        last_finished=timezone.now(),
        last_result=summary,
        last_error=error[:2000],
        runs=F("runs") + 1,
    )


def run_job(name: str) -> Outcome:
    """Run one registered job now, unless another process is running it. A failure is logged and returned."""
    job = _job(name)
    token = uuid.uuid4().hex
    if not _acquire(job.name, token):
        logger.info("periodic job %s is running elsewhere; this run is skipped", job.name)
        return Outcome(job.name, ran=False)
    try:
        with translation.override(settings.LANGUAGE_CODE):  # mails and notes in the site's language
            result = job.func()
    except Exception as error:  # noqa: BLE001 - one failed run must not stop the others; logged, retried next time
        logger.exception("periodic job %s failed", job.name)
        message = str(error) or type(error).__name__
        _release(job.name, token, error=message)
        return Outcome(job.name, ran=True, error=message)
    summary = summarise(result)
    _release(job.name, token, summary=summary)
    return Outcome(job.name, ran=True, summary=summary)


def _run_in_thread(name: str) -> None:
    """What APScheduler calls, in its own thread: one database connection per run, as per request."""
    close_old_connections()
    try:
        run_job(name)
    finally:
        close_old_connections()


def trigger_for(job: schedule.Job):
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if job.every is not None:
        return IntervalTrigger(seconds=int(job.every.total_seconds()), timezone=settings.TIME_ZONE)
    return CronTrigger.from_crontab(job.cron, timezone=settings.TIME_ZONE)


def add_jobs(
    scheduler, *, first_run_delay: timedelta | None = FIRST_RUN_DELAY, names: Sequence[str] | None = None
) -> int:
    """Add every registered job (or those `names`); with a delay, each also runs once soon after (one every few
    seconds)."""
    jobs = [job for job in schedule.jobs() if names is None or job.name in names]
    now = timezone.now()
    for index, job in enumerate(jobs):
        extra = {}
        if first_run_delay is not None:
            extra["next_run_time"] = now + first_run_delay + timedelta(seconds=3 * index)
        scheduler.add_job(
            _run_in_thread,
            trigger_for(job),
            args=[job.name],
            id=job.name,
            name=job.description or job.name,
            replace_existing=True,
            **extra,
        )
    return len(jobs)


def build(scheduler_class, *, first_run_delay: timedelta | None = FIRST_RUN_DELAY, names: Sequence[str] | None = None):
    """A scheduler (not started) with every registered job (or those `names`): one at a time per job, missed runs
    merged into one."""
    scheduler = scheduler_class(
        timezone=settings.TIME_ZONE,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    add_jobs(scheduler, first_run_delay=first_run_delay, names=names)
    return scheduler


# --- inside the development server ---------------------------------------------------------------

_in_process = None


def should_autostart(argv: Sequence[str], environ) -> bool:
    """In the development server's serving process only: not in its autoreloader parent, tests, other commands."""
    if not getattr(settings, "SCHEDULER_AUTOSTART", False):
        return False
    if len(argv) < 2 or argv[1] != "runserver":
        return False
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


def autostart(argv: Sequence[str] | None = None, environ=None) -> bool:
    """Start a background scheduler in this process if it serves `make run`. Called from CoreConfig.ready.

    Apps register their jobs in their own ready(), after the kernel's: the jobs are added a moment later,
    by a one-off job, once every app is ready.
    """
    global _in_process
    if _in_process is not None or not should_autostart(argv or sys.argv, os.environ if environ is None else environ):
        return False
    import atexit

    from apscheduler.schedulers.background import BackgroundScheduler

    _in_process = build(BackgroundScheduler)  # the kernel's own jobs, if any; the apps' follow
    _in_process.add_job(_add_all_jobs, "date", run_date=timezone.now() + timedelta(seconds=1), id="core.load_schedule")
    _in_process.start()
    atexit.register(lambda: _in_process.shutdown(wait=False))
    logger.info("scheduler started in the server process (SCHEDULER_AUTOSTART)")
    return True


def _add_all_jobs() -> None:
    count = add_jobs(_in_process, first_run_delay=first_run_delay())
    logger.info("scheduler: %d periodic jobs", count)
