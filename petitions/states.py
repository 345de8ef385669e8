"""The case workflow of a report: states, the transitions allowed between them, and who may take them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    TRANSFERRED = "transferred", _("Transferred to another body")
    HANDLING = "handling", _("Under handling")
    CONCLUDED = "concluded", _("Concluded")
    REPLIED = "replied", _("Replied")
    SATISFIED = "satisfied", _("Evaluated: satisfied")
    UNSATISFIED = "unsatisfied", _("Evaluated: not satisfied")
    REVIEW = "review", _("Under review (复查)")
    REVIEW_REPLIED = "review_replied", _("Review answered")
    RE_REVIEW = "re_review", _("Under re-review (复核)")
    RE_REVIEW_REPLIED = "re_review_replied", _("Re-review answered")
    CLOSED = "closed", _("Closed")


S = CaseState

# Staff transitions. Reporter transitions (evaluate, ask for review) are in REPORTER_TRANSITIONS.
STAFF_TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    S.RECEIVED: frozenset({S.ACCEPTED, S.NOT_ACCEPTED, S.TRANSFERRED}),
    S.ACCEPTED: frozenset({S.HANDLING}),
    S.HANDLING: frozenset({S.CONCLUDED}),
    S.CONCLUDED: frozenset({S.REPLIED}),
    S.REPLIED: frozenset({S.CLOSED}),  # when the evaluation window passes unused
    S.SATISFIED: frozenset({S.CLOSED}),
    S.REVIEW: frozenset({S.REVIEW_REPLIED}),
    S.REVIEW_REPLIED: frozenset({S.CLOSED}),
    S.RE_REVIEW: frozenset({S.RE_REVIEW_REPLIED}),
    S.RE_REVIEW_REPLIED: frozenset({S.CLOSED}),
    S.NOT_ACCEPTED: frozenset({S.CLOSED}),
    S.TRANSFERRED: frozenset({S.CLOSED}),
}

REPORTER_TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    S.REPLIED: frozenset({S.SATISFIED, S.UNSATISFIED}),
    S.UNSATISFIED: frozenset({S.REVIEW}),
    S.REVIEW_REPLIED: frozenset({S.SATISFIED, S.RE_REVIEW}),
    S.RE_REVIEW_REPLIED: frozenset({S.SATISFIED, S.CLOSED}),  # not satisfied after re-review: final
}

# Unsatisfied leads straight to review when the reporter asks for it in the same step.
OPEN_STATES = frozenset(set(S) - {S.CLOSED, S.NOT_ACCEPTED, S.TRANSFERRED})
STATES_WITH_A_DEADLINE = frozenset({S.RECEIVED, S.ACCEPTED, S.HANDLING, S.REVIEW, S.RE_REVIEW, S.CONCLUDED})
REPORTER_CAN_ADD_INFORMATION = frozenset({S.RECEIVED, S.ACCEPTED, S.HANDLING, S.REVIEW, S.RE_REVIEW})


def can_staff_move(current: str, target: str) -> bool:
    return CaseState(target) in STAFF_TRANSITIONS.get(CaseState(current), frozenset())


def can_reporter_move(current: str, target: str) -> bool:
    return CaseState(target) in REPORTER_TRANSITIONS.get(CaseState(current), frozenset())
