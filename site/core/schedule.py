"""Periodic jobs: one schedule, declared in code, contributed by the apps.

An app registers what must run on a clock from its AppConfig.ready()::

    from core import schedule
    schedule.register("reports.deadlines", check_report_deadlines, every=timedelta(hours=1),
                      description="Report cases: statutory deadlines and escalation", tags=("deadlines",))

The kernel imports no app: it only keeps the list. The runner (`core.scheduler`, APScheduler) reads `jobs()`:
inside the development server, or `manage.py run_scheduler` (`--list`, `--once NAME`) in production.
Jobs must be idempotent (safe to run twice, or late): the runner runs each once on start to catch up.
A job returns a short summary (a count, a list of what changed, or a line of text); it is logged and listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Job:
    name: str  # stable identifier, "<app>.<what>"
    func: Callable[[], object]
    every: timedelta | None = None  # an interval ...
    cron: str | None = None  # ... or a crontab line ("0 2 * * *"), in settings.TIME_ZONE
    description: str = ""
    tags: tuple[str, ...] = ()  # groups of jobs run together by hand ("deadlines": `manage.py check_deadlines`)


_jobs: dict[str, Job] = {}


def register(
    name: str,
    func: Callable[[], object],
    *,
    every: timedelta | None = None,
    cron: str | None = None,
    description: str = "",
    tags: tuple[str, ...] = (),
) -> None:
    """Declare a periodic job. Exactly one of `every` and `cron`. Registering a name again replaces it."""
    if (every is None) == (cron is None):
        raise ValueError(f"job {name!r}: give exactly one of every= and cron=")
    _jobs[name] = Job(name=name, func=func, every=every, cron=cron, description=description, tags=tuple(tags))


def jobs(tag: str | None = None) -> list[Job]:
    """Every registered job (or those with `tag`), by name."""
    return [_jobs[name] for name in sorted(_jobs) if tag is None or tag in _jobs[name].tags]
