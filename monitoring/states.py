"""Alert and verification-task states, and the transitions allowed between them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertState(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    VERIFYING = "verifying", _("Under verification")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    CLOSED = "closed", _("Closed")


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
    OPEN = "open", _("Open")
    DONE = "done", _("Result recorded")
