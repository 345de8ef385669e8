"""How late something due is: the escalation levels shared by cases and verification tasks."""

from datetime import date

import pytest

from workdays.deadlines import Escalation, escalation


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (None, Escalation.NONE),
        (date(2026, 10, 9), Escalation.NONE),
        (date(2026, 10, 10), Escalation.REMINDER),  # three days before
        (date(2026, 10, 13), Escalation.REMINDER),  # due today
        (date(2026, 10, 14), Escalation.YELLOW),
        (date(2026, 10, 20), Escalation.YELLOW),  # seven days late
        (date(2026, 10, 21), Escalation.RED),
    ],
)
def test_escalation_levels(today, level):
    due = None if today is None else date(2026, 10, 13)

    assert escalation(due, today or date(2026, 10, 13)) == level


def test_thresholds_are_the_callers():
    assert escalation(date(2026, 10, 13), date(2026, 10, 8), reminder_days=5) == Escalation.REMINDER
    assert escalation(date(2026, 10, 13), date(2026, 10, 16), red_after_days=2) == Escalation.RED
