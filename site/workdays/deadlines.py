"""How late something due is: the escalation levels every clock shares (cases, verification tasks)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from django.utils.translation import gettext, gettext_noop

REMINDER_DAYS = 3  # remind this many days before a deadline
RED_AFTER_DAYS = 7  # overdue by more than this: red


class Escalation(StrEnum):
    NONE = "none"
    REMINDER = "reminder"
    YELLOW = "yellow"
    RED = "red"


# As the escalation badge (includes/escalation_badge.html) says each level.
ESCALATION_WORDS = {
    Escalation.REMINDER: gettext_noop("due soon"),
    Escalation.YELLOW: gettext_noop("overdue (yellow)"),
    Escalation.RED: gettext_noop("overdue (red)"),
}


def escalation_words(level: str) -> str:
    """A level in the active language; nothing for none (or a code that is not a level)."""
    return gettext(ESCALATION_WORDS[level]) if level in ESCALATION_WORDS else ""


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
