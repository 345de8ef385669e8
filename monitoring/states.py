"""Alert and verification-task states, the transitions allowed between them, and how each step reads."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy


class AlertState(models.TextChoices):
    # Contexts keep an alert's words apart from the same English elsewhere ("Closed" is not a petition's 已截止).
    NEW = "new", pgettext_lazy("alert state", "New")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert state", "Acknowledged")
    VERIFYING = "verifying", pgettext_lazy("alert state", "Under verification")
    CONFIRMED = "confirmed", pgettext_lazy("alert state", "Confirmed")
    DISMISSED = "dismissed", pgettext_lazy("alert state", "Dismissed")
    CLOSED = "closed", pgettext_lazy("alert state", "Closed")


A = AlertState
ALERT_TRANSITIONS: dict[AlertState, frozenset[AlertState]] = {
    A.NEW: frozenset({A.ACKNOWLEDGED, A.VERIFYING, A.DISMISSED}),
    A.ACKNOWLEDGED: frozenset({A.VERIFYING, A.DISMISSED}),
    A.VERIFYING: frozenset({A.CONFIRMED, A.DISMISSED}),
    A.CONFIRMED: frozenset({A.CLOSED}),
    A.DISMISSED: frozenset({A.CLOSED}),
}
OPEN_ALERT_STATES = frozenset({A.NEW, A.ACKNOWLEDGED, A.VERIFYING})


class Severity(models.TextChoices):
    BLUE = "blue", _("Blue: for information")
    YELLOW = "yellow", _("Yellow: look into it")
    RED = "red", _("Red: verify")


class TaskState(models.TextChoices):
    OPEN = "open", pgettext_lazy("task state", "Open")
    DONE = "done", _("Result recorded")


# --- how the workflow reads ------------------------------------------------------------------------
# One place for the words of the alert workflow: the button that moves an alert to a state (a verb) and the
# sentence its history shows for each step (who and when: `%(actor)s`, `%(when)s`). Templates only look up.


@dataclass(frozen=True)
class Step:
    sentence: str  # lazy; "%(actor)s … %(when)s"
    verb: str = ""  # the button's label
    note_label: str = ""  # what the step's note is; plain "Note" when empty


_REASON = pgettext_lazy("alert history", "Reason")

# The state an inspector moves the alert to → how that step reads.
ALERT_STEPS: dict[AlertState, Step] = {
    A.ACKNOWLEDGED: Step(
        pgettext_lazy("alert history", "%(actor)s acknowledged the alert on %(when)s."),
        verb=pgettext_lazy("alert step", "Acknowledge"),
    ),
    A.VERIFYING: Step(
        pgettext_lazy("alert history", "%(actor)s started verification on %(when)s."),
        verb=pgettext_lazy("alert step", "Start verification"),
    ),
    A.CONFIRMED: Step(
        pgettext_lazy("alert history", "%(actor)s confirmed the alert on %(when)s."),
        verb=pgettext_lazy("alert step", "Confirm"),
    ),
    A.DISMISSED: Step(
        pgettext_lazy("alert history", "%(actor)s dismissed the alert on %(when)s."),
        verb=pgettext_lazy("alert step", "Dismiss"),
        note_label=_REASON,
    ),
    A.CLOSED: Step(
        pgettext_lazy("alert history", "%(actor)s closed the alert on %(when)s."),
        verb=pgettext_lazy("alert step", "Close the alert"),
    ),
}
# Steps the services record on their own, not chosen from the buttons above.
ALERT_RAISED = Step(pgettext_lazy("alert history", "The system raised the alert on %(when)s."))
TASK_CREATED = Step(
    pgettext_lazy(
        "alert history", "%(actor)s created a verification task on %(when)s; the alert is under verification."
    )
)
RESULT_RECORDED = Step(pgettext_lazy("alert history", "%(actor)s recorded the verification result on %(when)s."))
# A task's escalation, recorded on its alert with one of these system notes (monitoring.services), by level.
ESCALATION_NOTES = {
    "reminder": gettext_noop("Verification task due soon"),
    "yellow": gettext_noop("Verification task overdue: escalated to yellow"),
    "red": gettext_noop("Verification task overdue: escalated to red"),
}
TASK_ESCALATED = {
    "reminder": Step(
        pgettext_lazy("alert history", "On %(when)s the verification task fell due soon: a reminder was sent.")
    ),
    "yellow": Step(
        pgettext_lazy("alert history", "On %(when)s the verification task was overdue and escalated to yellow.")
    ),
    "red": Step(pgettext_lazy("alert history", "On %(when)s the verification task was overdue and escalated to red.")),
}
UNKNOWN_STEP = Step(
    pgettext_lazy("alert history", "%(actor)s moved the alert from “%(from)s” to “%(to)s” on %(when)s.")
)


def alert_verb(target: str) -> str:
    """The label of the button that moves an alert to `target`."""
    step = ALERT_STEPS.get(AlertState(target))
    return str(step.verb) if step else str(AlertState(target).label)
