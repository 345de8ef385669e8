"""Seeded timelines on the working-day calendar, for generated (demo) data: office hours, log-normal delays,
delays counted in working or natural days. Pure: the caller passes its `random.Random` and calendar.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta

from workdays.calendar import WorkingCalendar

# Office-hours profile of people's actions: hour → relative weight (mornings and afternoons, a lunch break).
HOURS = {8: 0.3, 9: 1.0, 10: 1.3, 11: 1.2, 12: 0.3, 13: 0.5, 14: 1.2, 15: 1.3, 16: 1.0, 17: 0.3}


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(sigma * rng.gauss(0, 1))


def office_moment(rng: random.Random, day: date, tz) -> datetime:
    hour = rng.choices(list(HOURS), list(HOURS.values()))[0]
    return datetime.combine(day, time(hour), tzinfo=tz) + timedelta(minutes=rng.randint(0, 59))


def after_working_days(calendar: WorkingCalendar, start: datetime, days: float, rng: random.Random) -> datetime:
    """A moment `days` working days after `start`, in office hours."""
    whole = int(days)
    day = calendar.add_working_days(start.date(), whole) if whole else start.date()
    moment = office_moment(rng, day, start.tzinfo)
    if moment <= start:  # the same day: a little later than `start`
        moment = start + timedelta(minutes=5 + rng.randint(0, 120))
    return moment


def natural_days_after(start: datetime, days: float, rng: random.Random, calendar: WorkingCalendar) -> datetime:
    """`days` natural days after `start`, moved back to a working day (never past a clock's end), in office hours."""
    day = (start + timedelta(days=days)).date()
    while not calendar.is_working_day(day) and day > start.date():
        day -= timedelta(days=1)
    moment = office_moment(rng, day, start.tzinfo)
    return moment if moment > start else start + timedelta(minutes=5 + rng.randint(0, 120))
