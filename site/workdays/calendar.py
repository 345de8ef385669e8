"""The Chinese working-day calendar: weekends, public holidays and make-up working days.

Pure functions over dates; the holidays and make-up days of each year come from the
database (`WorkingDayOverride`, loaded from data/workdays_cn.csv and editable by staff).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

HOLIDAYS_CSV = Path(__file__).resolve().parent / "data" / "workdays_cn.csv"


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)  # weekdays off
    workdays: frozenset[date] = field(default_factory=frozenset)  # weekend days worked (调休)

    @classmethod
    def from_overrides(cls, rows: Iterable[tuple[date, bool]]) -> WorkingCalendar:
        holidays, workdays = set(), set()
        for day, is_workday in rows:
            (workdays if is_workday else holidays).add(day)
        return cls(frozenset(holidays), frozenset(workdays))

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            count += self.is_working_day(current)
        return count


class CalendarFileError(ValueError):
    pass


def read_calendar_csv(path: Path | str = HOLIDAYS_CSV) -> list[tuple[date, bool, str]]:
    """(day, is working day, occasion) of each row of a `date,working,name` file. FileNotFoundError if missing."""
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            try:
                day = date.fromisoformat(record["date"].strip())
                working = record["working"].strip() in {"1", "true", "yes"}
            except (KeyError, ValueError, AttributeError) as error:
                raise CalendarFileError(f"{path}:{line}: expected date,working,name — {error}") from error
            rows.append((day, working, (record.get("name") or "").strip()[:40]))
    return rows


def calendar_from_csv(path: Path | str = HOLIDAYS_CSV) -> WorkingCalendar:
    """The holiday calendar shipped with the project, read without the database."""
    return WorkingCalendar.from_overrides((day, working) for day, working, _name in read_calendar_csv(path))
