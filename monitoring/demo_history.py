"""The demo's history: when records arrive and how inspectors handle their alerts. Pure and seeded.

The demo loads every record at once; this module gives each one the moment it would have arrived over the
last twelve months and each alert the course an inspector would have given it, so the dashboard's charts show
months rather than one bar. The same seed and day give the same history; moments are relative to `now`, so the
demo stays fresh, and none lies in the future.

Arrivals (`arrivals`): a Poisson process whose rate grows linearly from 0.6 to 1.4 times its mean over the
year (more source systems connected as it goes), is 20 times lower on rest days than on working days (the
working-day calendar, holidays and 调休 included) and follows office hours (most pushes 09:00–12:00 and
14:00–17:00). Given how many records arrive, such a process places them independently with a density
proportional to its rate, which is how they are drawn (rejection sampling).

Handling (`alert_course`), in working days (`WorkingCalendar`), every delay log-normal (median, σ):
- 40 % of blue and 20 % of yellow alerts wait in the queue, never opened (the backlog the open-alert charts
  show); an inspector opens the others after (1.5, 0.8);
- red alerts get a verification task when raised; 60 % of yellow and 25 % of blue alerts get one when opened,
  the others are dismissed after (2, 0.6) with a reason (15 % of blue ones stay acknowledged);
- a task is due 10 working days after it was created (`monitoring.services.TASK_WORKING_DAYS`); its result is
  recorded after (6, 0.45), so about one task in eight is late, and 25 % of the tasks created in the last
  100 days stall (no result yet: overdue once due, so the escalation shows: one to eight such tasks on any day);
- after the result the alert is confirmed (55 %) or dismissed (45 %) after (1, 0.7); half of the decided alerts
  are closed (case filed) after (10, 0.5).
A step whose moment would be after `now` has not happened yet: the alert stays where it is.

The clocks of report cases are in `petitions.demo_history`; both use `workdays.timelines` (office hours,
log-normal delays in working or natural days).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from workdays.calendar import WorkingCalendar
from workdays.timelines import after_working_days, lognormal, office_moment

REST_DAY_RATE = 0.05  # a rest day's rate, relative to a working day's
TREND = (0.6, 1.4)  # the rate a year ago and now, relative to the mean
TASK_DAYS = 10
BACKLOG = {"blue": 0.4, "yellow": 0.2}  # shares of alerts nobody has opened yet, whatever their age
STALLED, STALLED_WITHIN_DAYS = 0.25, 100  # tasks of the last 100 days with no result yet (overdue once due)


def arrivals(rng: random.Random, count: int, *, now: datetime, days: int, calendar: WorkingCalendar) -> list[datetime]:
    """`count` arrival moments over the `days` days before `now` (sorted; all before `now`)."""
    today = now.date()
    top = TREND[1]
    moments: list[datetime] = []
    while len(moments) < count:
        back = rng.randrange(1, days)  # never today: nothing arrives after `now`
        day = today - timedelta(days=back)
        trend = TREND[0] + (TREND[1] - TREND[0]) * (1 - back / days)
        rate = trend * (1.0 if calendar.is_working_day(day) else REST_DAY_RATE)
        if rng.random() * top <= rate:
            moments.append(office_moment(rng, day, now.tzinfo))
    return sorted(moments)


@dataclass
class Step:
    """One thing an inspector does to an alert: `open`, `task`, `result`, `confirm`, `dismiss`, `close`."""

    action: str
    at: datetime


@dataclass
class Course:
    steps: list[Step] = field(default_factory=list)
    task_due: date | None = None
    verdict: str = "confirm"  # what the verification finds: "confirm" or "dismiss"


def alert_course(
    rng: random.Random, *, severity: str, raised: datetime, now: datetime, calendar: WorkingCalendar
) -> Course:
    """What happened to an alert raised at `raised`, as far as `now` (see the module's docstring)."""
    course = Course()

    def step(action: str, at: datetime) -> bool:
        if at >= now:
            return False
        course.steps.append(Step(action, at))
        return True

    # The alert's fate is drawn first; the moments of the steps it reaches follow.
    waits = rng.random() < BACKLOG.get(severity, 0.0)
    opened = after_working_days(calendar, raised, lognormal(rng, 1.5, 0.8), rng)
    wants_task = severity == "red" or rng.random() < {"yellow": 0.6, "blue": 0.25}.get(severity, 0.5)
    stays_open = severity == "blue" and rng.random() < 0.15
    dismiss_after = lognormal(rng, 2, 0.6)
    work = lognormal(rng, 6, 0.45)
    stalls = rng.random() < STALLED
    confirmed = rng.random() < 0.55
    decide_after = lognormal(rng, 1, 0.7)
    closes = rng.random() < 0.5
    close_after = lognormal(rng, 10, 0.5)
    course.verdict = "confirm" if confirmed else "dismiss"

    if severity == "red":
        task_at = raised + timedelta(seconds=1)  # created with the alert (monitoring.services.raise_alert)
        course.task_due = calendar.add_working_days(task_at.date(), TASK_DAYS)
        course.steps.append(Step("task", task_at))
    if waits:
        return course  # still in the queue
    if severity != "red":
        if not step("open", opened):
            return course
        if not wants_task:
            if stays_open:
                return course
            decided = after_working_days(calendar, opened, dismiss_after, rng)
            if step("dismiss", decided) and closes:
                step("close", after_working_days(calendar, decided, close_after, rng))
            return course
        task_at = opened + timedelta(minutes=rng.randint(5, 90))
        if not step("task", task_at):
            return course
        course.task_due = calendar.add_working_days(task_at.date(), TASK_DAYS)
    task_at = next(s.at for s in course.steps if s.action == "task")
    if stalls and (now - task_at).days <= STALLED_WITHIN_DAYS:
        return course
    done = after_working_days(calendar, task_at, work, rng)
    if not step("result", done):
        return course
    decided = after_working_days(calendar, done, decide_after, rng)
    if step("confirm" if confirmed else "dismiss", decided) and closes:
        step("close", after_working_days(calendar, decided, close_after, rng))
    return course
