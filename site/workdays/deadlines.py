"""How late something due is: the escalation levels every clock shares (cases, verification tasks)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

REMINDER_DAYS = 3  # remind this many days before a deadline
RED_AFTER_DAYS = 7  # overdue by more than this: red


class Escalation(StrEnum):
    NONE = "none"
    REMINDER = "reminder"
    YELLOW = "yellow"
    RED = "red"


def escalation(
    due: date | None, today: date, *, reminder_days: int = REMINDER_DAYS, red_after_days: int = RED_AFTER_DAYS
) -> Escalation:
    if due is None:
        return Escalation.NONE
    overdue = (today - due).days
    if overdue > red_after_days:
        return Escalation.RED
    if overdue > 0:
        return Escalation.YELLOW
    if -overdue <= reminder_days:
        return Escalation.REMINDER
    return Escalation.NONE
