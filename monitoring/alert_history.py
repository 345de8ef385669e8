"""An alert's history as people read it: one sentence per step, saying who did what and when.

The words are in `monitoring.states` (ALERT_STEPS and the steps the services record on their own). The
services write a fixed note on the steps they take themselves ("Verification task created", in the language
of the moment): those notes tell the step apart and are not repeated under the sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, pgettext

from core.history import HistoryLine, when
from monitoring.models import AlertEvent
from monitoring.states import (
    ALERT_RAISED,
    ALERT_STEPS,
    ESCALATION_NOTES,
    RESULT_RECORDED,
    TASK_CREATED,
    TASK_ESCALATED,
    UNKNOWN_STEP,
    AlertState,
    Step,
)


@cache
def _system_notes(message: str) -> frozenset[str]:
    """A note the services write, as it reads in every language of the site."""
    notes = {message}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            notes.add(gettext(message))
    return frozenset(notes)


def _state_label(code: str) -> str:
    try:
        return str(AlertState(code).label)
    except ValueError:
        return pgettext("alert history", "another state")


def _step(event: AlertEvent) -> tuple[Step, bool]:
    """The step an event records, and whether its note is the system's own (not shown)."""
    if not event.from_state:
        return ALERT_RAISED, True
    if event.from_state == event.to_state:
        for level, note in ESCALATION_NOTES.items():
            if event.note in _system_notes(note):
                return TASK_ESCALATED[level], True
        return RESULT_RECORDED, event.note in _system_notes("Verification result recorded")
    if event.to_state == AlertState.VERIFYING and event.note in _system_notes("Verification task created"):
        return TASK_CREATED, True
    try:
        return ALERT_STEPS.get(AlertState(event.to_state), UNKNOWN_STEP), False
    except ValueError:
        return UNKNOWN_STEP, False


def event_line(event: AlertEvent) -> HistoryLine:
    step, system_note = _step(event)
    actor = str(event.actor) if event.actor_id else pgettext("alert history", "The system")
    names = {
        "actor": actor,
        "when": when(event.at),
        "from": _state_label(event.from_state),
        "to": _state_label(event.to_state),
    }
    note = "" if system_note else (event.note or "").strip()
    label = str(step.note_label) if step.note_label else pgettext("alert history", "Note")
    return HistoryLine(at=event.at, sentence=str(step.sentence) % names, note_label=label if note else "", note=note)


def alert_history(events: Iterable[AlertEvent]) -> list[HistoryLine]:
    return [event_line(event) for event in events]
