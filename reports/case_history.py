"""A case's history as people read it: one sentence per step, saying who did what and when.

The steps come from `CaseEvent` (the workflow) and `IdentityAccess` (who saw the reporter's identity or an
attachment, and why); their words from `reports.states` (CASE_STEPS, IDENTITY_ACCESSES). A reporter's
identity is never part of a line: an access says who looked, when and why, not what they saw.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from django.utils.translation import pgettext

from core.history import HistoryLine, when
from reports.models import CaseEvent, IdentityAccess, Report
from reports.states import IDENTITY_ACCESSES, CaseState, Step, case_step

EXTENSION_NOTE = re.compile(r"^\+(\d+): (.*)$", re.DOTALL)


def _state_label(code: str) -> str:
    try:
        return str(CaseState(code).label)
    except ValueError:
        return pgettext("case history", "another state")


def _actor(user, *, by_reporter: bool = False) -> str:
    if by_reporter:
        return pgettext("case history", "The reporter")
    if user is None:
        return pgettext("case history", "The system")
    return str(user)


def _line(step: Step, at: datetime, note: str, **names: str) -> HistoryLine:
    note = (note or "").strip()
    label = str(step.note_label) if step.note_label else pgettext("case history", "Note")
    return HistoryLine(
        at=at, sentence=str(step.sentence) % {"when": when(at), **names}, note_label=label if note else "", note=note
    )


def event_line(event: CaseEvent, *, transferred_to: str = "") -> HistoryLine:
    step = case_step(event.action, event.to_state)
    if event.action == CaseEvent.Action.TRANSFER and transferred_to:
        step = case_step(event.action, "named")
    names = {
        "actor": _actor(event.actor, by_reporter=event.by_reporter),
        "from": _state_label(event.from_state),
        "to": _state_label(event.to_state),
        "handler": event.note,
        "body": transferred_to,
    }
    note = "" if event.action == CaseEvent.Action.ASSIGNED else event.note
    if event.action == CaseEvent.Action.EXTENDED and (match := EXTENSION_NOTE.match(note)):
        days, reason = match.groups()
        note = pgettext("case history", "by %(days)s days: %(reason)s") % {"days": days, "reason": reason}
    return _line(step, event.at, note, **names)


def access_line(access: IdentityAccess) -> HistoryLine | None:
    kind = access.what.split(":", 1)[0]
    step = IDENTITY_ACCESSES.get(kind)
    if step is None:
        return None
    # The system's own accesses (a notice e-mail) carry no reason worth reading.
    reason = access.reason if access.user_id else ""
    return _line(step, access.at, reason, actor=_actor(access.user))


def merge(
    events: Iterable[CaseEvent], accesses: Iterable[IdentityAccess] = (), *, transferred_to: str = ""
) -> list[HistoryLine]:
    lines = [event_line(e, transferred_to=transferred_to) for e in events]
    lines += [line for a in accesses if (line := access_line(a)) is not None]
    return sorted(lines, key=lambda line: line.at)


def case_history(report: Report) -> list[HistoryLine]:
    """The staff's history of a case: every step and every access to the reporter's identity or files."""
    return merge(
        report.events.select_related("actor"),
        report.identity_accesses.select_related("user").order_by("at", "pk"),
        transferred_to=report.transferred_to,
    )
