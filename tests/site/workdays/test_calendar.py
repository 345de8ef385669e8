"""The working-day calendar: weekends, public holidays and make-up days (调休), as loaded and as shipped."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from workdays.calendar import HOLIDAYS_CSV, WorkingCalendar, calendar_from_csv, read_calendar_csv
from workdays.models import WorkingDayOverride
from workdays.selectors import working_calendar


def test_working_days_around_the_2026_national_day(calendar):
    cal = WorkingCalendar.from_overrides(WorkingDayOverride.objects.values_list("day", "is_working_day"))

    assert not cal.is_working_day(date(2026, 10, 1))  # holiday
    assert cal.is_working_day(date(2026, 10, 10))  # a Saturday worked
    assert cal.is_working_day(date(2026, 9, 20))  # a Sunday worked
    # 5 working days after 30 September: 8, 9, 10 (Sat), 12, 13 October
    assert cal.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert cal.add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)
    # Spring Festival 2026: off 15–23 February, 14 and 28 February worked
    assert cal.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_the_stored_calendar_is_the_shipped_one(calendar):
    assert working_calendar() == calendar_from_csv()
    assert WorkingDayOverride.objects.count() == len(read_calendar_csv(HOLIDAYS_CSV))


def test_a_malformed_calendar_file_names_its_line(tmp_path, db):
    bad = tmp_path / "workdays.csv"
    bad.write_text("date,working,name\n2026-10-01,0,国庆节\n2026-13-01,0,?\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"workdays.csv:3: expected date,working,name"):
        call_command("load_calendar", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_calendar", str(tmp_path / "missing.csv"))
    assert not WorkingDayOverride.objects.exists()
