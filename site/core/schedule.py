"""Periodic jobs: one schedule, declared in code, contributed by the apps.

An app registers what must run on a clock from its AppConfig.ready()::

    from core import schedule
    schedule.register("petitions.deadlines", refresh_deadlines, every=timedelta(hours=1),
                      description="Deadlines and escalation of open reports and petitions")

The kernel imports no app: it only keeps the list. The runner (APScheduler) reads `jobs()`.
Jobs must be idempotent (safe to run twice, or late): the runner may fire a missed run on start.
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


_jobs: dict[str, Job] = {}


def register(
    name: str,
    func: Callable[[], object],
    *,
    every: timedelta | None = None,
    cron: str | None = None,
    description: str = "",
) -> None:
    """Declare a periodic job. Exactly one of `every` and `cron`. Registering a name again replaces it."""
    if (every is None) == (cron is None):
        raise ValueError(f"job {name!r}: give exactly one of every= and cron=")
    _jobs[name] = Job(name=name, func=func, every=every, cron=cron, description=description)


def jobs() -> list[Job]:
    """Every registered job, by name."""
    return [_jobs[name] for name in sorted(_jobs)]
