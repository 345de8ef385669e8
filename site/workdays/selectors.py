"""The working-day calendar as the database holds it."""

from __future__ import annotations

from workdays.calendar import WorkingCalendar
from workdays.models import WorkingDayOverride


def working_calendar() -> WorkingCalendar:
    return WorkingCalendar.from_overrides(WorkingDayOverride.objects.values_list("day", "is_working_day"))
