"""Statutory clocks of a case (信访工作条例 2022; 纪检监察机关处理检举控告工作规则 2020).

Pure functions: a case's state and the dates that started its clocks go in, due dates and the
escalation level (`workdays.deadlines`, with the thresholds here) come out. Natural days and working days
as each rule says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reports.states import CaseState
from workdays.calendar import WorkingCalendar
from workdays.deadlines import Escalation
from workdays.deadlines import escalation as workdays_escalation


@dataclass(frozen=True)
class Rules:
    accept_days: int = 15  # 信访工作条例 arts. 22–23: accept, refuse or transfer within 15 days
    forward_working_days: int = 5  # 检举控告工作规则: forward to the right level within 5 working days
    handling_days: int = 60  # art. 34
    max_extension_days: int = 30  # art. 34
    reply_working_days: int = 15  # result told to a real-name reporter within 15 working days of concluding
    evaluation_days: int = 30  # art. 35: review requested within 30 days of the reply
    review_days: int = 30  # arts. 35–36: review and re-review answered within 30 days
    reminder_days: int = 3  # remind this many days before a deadline
    red_after_days: int = 7  # overdue by more than this: red


RULES = Rules()


@dataclass(frozen=True)
class Deadline:
    due: date
    rule: str
    working_days: bool


@dataclass(frozen=True)
class Clocks:
    """The dates that start the clocks (local dates)."""

    received: date
    accepted: date | None = None
    concluded: date | None = None
    replied: date | None = None
    review_requested: date | None = None
    re_review_requested: date | None = None
    extension_days: int = 0


def deadline(state: str, clocks: Clocks, calendar: WorkingCalendar, rules: Rules = RULES) -> Deadline | None:
    """What is due next for a case in `state`, or None when nothing is (the reporter's move, or closed)."""
    state = CaseState(state)
    if state == CaseState.RECEIVED:
        return Deadline(clocks.received + timedelta(days=rules.accept_days), "accept_or_transfer", False)
    if state in (CaseState.ACCEPTED, CaseState.HANDLING):
        start = clocks.accepted or clocks.received
        return Deadline(start + timedelta(days=rules.handling_days + clocks.extension_days), "handle", False)
    if state == CaseState.CONCLUDED:
        start = clocks.concluded or clocks.received
        return Deadline(calendar.add_working_days(start, rules.reply_working_days), "reply", True)
    if state == CaseState.REVIEW and clocks.review_requested:
        return Deadline(clocks.review_requested + timedelta(days=rules.review_days), "review", False)
    if state == CaseState.RE_REVIEW and clocks.re_review_requested:
        return Deadline(clocks.re_review_requested + timedelta(days=rules.review_days), "re_review", False)
    return None


def forward_deadline(received: date, calendar: WorkingCalendar, rules: Rules = RULES) -> date:
    """The last day to forward a report that belongs to another level or body."""
    return calendar.add_working_days(received, rules.forward_working_days)


def evaluation_window_ends(replied: date, rules: Rules = RULES) -> date:
    return replied + timedelta(days=rules.evaluation_days)


def escalation(due: date | None, today: date, rules: Rules = RULES) -> Escalation:
    """How late a case is, by the reminder and red thresholds of the rules."""
    return workdays_escalation(due, today, reminder_days=rules.reminder_days, red_after_days=rules.red_after_days)
