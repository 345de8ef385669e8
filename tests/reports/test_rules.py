"""Follow-up codes and the statutory deadlines, as pure functions."""

from datetime import date

import pytest

from reports.codes import CODE_LENGTH, code_digest, new_code, normalise_code
from reports.deadlines import Clocks, Escalation, deadline, escalation, forward_deadline
from workdays.calendar import WorkingCalendar
from workdays.models import WorkingDayOverride


def test_follow_up_codes_carry_100_bits_and_survive_typing():
    codes = {new_code() for _ in range(2000)}

    assert len(codes) == 2000 and all(len(c) == CODE_LENGTH for c in codes)
    assert CODE_LENGTH * 5 >= 80
    code = next(iter(codes))
    typed = " ".join(code[i : i + 4] for i in range(0, 20, 4)).lower()
    assert normalise_code(typed) == code
    assert normalise_code("A" * 65) is None and normalise_code("short") is None
    assert code_digest(code) != code and len(code_digest(code)) == 64


def test_deadlines_follow_the_rules(calendar):
    cal = WorkingCalendar.from_overrides(WorkingDayOverride.objects.values_list("day", "is_working_day"))
    received = date(2026, 9, 28)

    assert deadline("received", Clocks(received=received), cal).due == date(2026, 10, 13)  # 15 natural days
    assert forward_deadline(received, cal) == date(2026, 10, 10)  # 29, 30 Sept, 8, 9, 10 (Sat, worked) Oct
    handling = deadline("handling", Clocks(received=received, accepted=date(2026, 10, 8)), cal)
    assert handling.due == date(2026, 12, 7) and not handling.working_days  # 60 natural days
    extended = deadline("handling", Clocks(received=received, accepted=date(2026, 10, 8), extension_days=30), cal)
    assert extended.due == date(2027, 1, 6)
    reply = deadline("concluded", Clocks(received=received, concluded=date(2026, 9, 30)), cal)
    assert reply.working_days and reply.due == date(2026, 10, 27)  # 15 working days, holiday skipped
    assert deadline("replied", Clocks(received=received), cal) is None


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (date(2026, 10, 1), Escalation.NONE),
        (date(2026, 10, 11), Escalation.REMINDER),
        (date(2026, 10, 14), Escalation.YELLOW),
        (date(2026, 10, 21), Escalation.RED),
    ],
)
def test_escalation_levels(today, level):
    assert escalation(date(2026, 10, 13), today) == level
