"""Identifiers, the working-day calendar and the statutory deadlines, as pure functions."""

from datetime import date

import pytest

from petitions.calendar import WorkingCalendar
from petitions.codes import CODE_LENGTH, code_digest, new_code, normalise_code
from petitions.deadlines import Clocks, Escalation, deadline, escalation, forward_deadline
from petitions.identifiers import id_check_character, is_valid_credit_code, is_valid_resident_id, uscc_check_character
from petitions.models import WorkingDayOverride


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110105194912310021", False),  # wrong check character
        ("11010519491331002X", False),  # no 13th month
        ("1101051949123100", False),
        ("", False),
    ],
)
def test_resident_id_numbers(value, valid):
    assert is_valid_resident_id(value) is valid


def test_resident_id_check_character_over_many_numbers():
    for serial in range(100, 200):
        first17 = f"13062619900101{serial:03d}"
        assert is_valid_resident_id(first17 + id_check_character(first17))


@pytest.mark.parametrize("first17", ["91130626MA0ABCDE1", "12100000400000000", "91310000607221234"])
def test_unified_social_credit_codes(first17):
    code = first17 + uscc_check_character(first17)

    assert is_valid_credit_code(code)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not is_valid_credit_code(wrong)
    assert not is_valid_credit_code(code.replace(code[9], "I"))  # I is not in the character set


def test_follow_up_codes_carry_100_bits_and_survive_typing():
    codes = {new_code() for _ in range(2000)}

    assert len(codes) == 2000 and all(len(c) == CODE_LENGTH for c in codes)
    assert CODE_LENGTH * 5 >= 80
    code = next(iter(codes))
    typed = " ".join(code[i : i + 4] for i in range(0, 20, 4)).lower()
    assert normalise_code(typed) == code
    assert normalise_code("A" * 65) is None and normalise_code("short") is None
    assert code_digest(code) != code and len(code_digest(code)) == 64


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
