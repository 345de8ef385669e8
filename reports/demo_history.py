"""The demo's report cases on their statutory clocks: when each workflow step happens. Pure and seeded.

Report cases (`report_schedule`) follow the statutory clocks of `reports.deadlines`: accepted or refused
after (4, 0.7) natural days (limit 15), handling started after (1, 0.5) working days, concluded after (30, 0.45)
days (limit 60, plus any extension), replied after (5, 0.6) working days (limit 15), evaluated by the reporter
after (7, 0.6) days (limit 30 to ask for review), a review answered after (18, 0.4) days (limit 30); each delay
is cut at its limit, so the demo's finished cases kept their clocks (its open ones show the escalations).
"""

from __future__ import annotations

import random
from datetime import datetime

from workdays.calendar import WorkingCalendar
from workdays.timelines import after_working_days, lognormal, natural_days_after

# Delays of a report case's steps: (median, σ, "natural" or "working" days, the longest the clock allows).
REPORT_DELAYS = {
    "accept": (4, 0.7, "natural", 14),
    "not_accept": (4, 0.7, "natural", 14),
    "transfer": (3, 0.7, "working", 4),
    "start_handling": (1, 0.5, "working", 3),
    "extend": (40, 0.2, "natural", 55),
    "conclude": (30, 0.45, "natural", 58),
    "reply": (5, 0.6, "working", 14),
    "satisfied": (7, 0.6, "natural", 29),
    "review": (7, 0.6, "natural", 29),
    "re_review": (7, 0.6, "natural", 29),
    "review_reply": (18, 0.4, "natural", 29),
}


def report_schedule(
    rng: random.Random, steps: list[str], received: datetime, calendar: WorkingCalendar
) -> list[datetime]:
    """The moment of each of a case's workflow `steps` (as `reports.demo` names them) after `received`."""
    moments, at, replies = [], received, 0
    for name in steps:
        key = name
        if name == "reply":
            key = "reply" if replies == 0 else "review_reply"
            replies += 1
        median, sigma, unit, longest = REPORT_DELAYS[key]
        days = min(lognormal(rng, median, sigma), longest)
        at = (
            after_working_days(calendar, at, days, rng)
            if unit == "working"
            else natural_days_after(at, days, rng, calendar)
        )
        moments.append(at)
    return moments


def report_span(steps: list[str]) -> float:
    """The median length in days of a case with these steps: how far back it must start to have had them."""
    total = 0.0
    replies = 0
    for name in steps:
        key = name
        if name == "reply":
            key = "reply" if replies == 0 else "review_reply"
            replies += 1
        median, _sigma, unit, _longest = REPORT_DELAYS[key]
        total += median * (1.4 if unit == "working" else 1.0)
    return total
