"""The petition response clock (pure): when a government response is due, and how late it is.

As on UK e-petitions, the clock starts on the day the response threshold is reached and runs for a
number of calendar months (`PETITIONS["response_months"]`, 3 by default). Lateness uses the escalation
levels every clock shares (`workdays.deadlines`: reminder → yellow → red).
"""

from __future__ import annotations

import calendar
from datetime import date

from workdays.deadlines import Escalation, escalation

ESCALATION_ORDER = [Escalation.NONE, Escalation.REMINDER, Escalation.YELLOW, Escalation.RED]


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def response_due(threshold_reached: date, months: int) -> date:
    return add_months(threshold_reached, months)


def response_escalation(due: date | None, today: date, *, answered: bool) -> Escalation:
    """How late the response is; an answered petition is never late."""
    if answered or due is None:
        return Escalation.NONE
    return escalation(due, today)


def is_worse(level: str, than: str) -> bool:
    return ESCALATION_ORDER.index(Escalation(level)) > ESCALATION_ORDER.index(Escalation(than))
