"""The case workflow of a report: states, the transitions allowed between them, and who may take them.

A petition's statuses have their own map (`petitions.states`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import pgettext_lazy


class CaseState(models.TextChoices):
    # The context keeps a case's words apart from a petition's ("Closed" is 已结案 here, 已截止 there).
    RECEIVED = "received", pgettext_lazy("case state", "Received")
    ACCEPTED = "accepted", pgettext_lazy("case state", "Accepted")
    NOT_ACCEPTED = "not_accepted", pgettext_lazy("case state", "Not accepted")
    TRANSFERRED = "transferred", pgettext_lazy("case state", "Transferred to another body")
    HANDLING = "handling", pgettext_lazy("case state", "Under handling")
    CONCLUDED = "concluded", pgettext_lazy("case state", "Concluded")
    REPLIED = "replied", pgettext_lazy("case state", "Replied")
    SATISFIED = "satisfied", pgettext_lazy("case state", "Evaluated: satisfied")
    UNSATISFIED = "unsatisfied", pgettext_lazy("case state", "Evaluated: not satisfied")
    REVIEW = "review", pgettext_lazy("case state", "Under review (复查)")
    REVIEW_REPLIED = "review_replied", pgettext_lazy("case state", "Review answered")
    RE_REVIEW = "re_review", pgettext_lazy("case state", "Under re-review (复核)")
    RE_REVIEW_REPLIED = "re_review_replied", pgettext_lazy("case state", "Re-review answered")
    CLOSED = "closed", pgettext_lazy("case state", "Closed")


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


def staff_targets(state: str) -> frozenset[CaseState]:
    """The states staff may move a case to from `state`."""
    return STAFF_TRANSITIONS.get(CaseState(state), frozenset())


# --- how the workflow reads ------------------------------------------------------------------------
# One place for the words of the workflow: the button that takes a staff step (a verb) and the sentence the
# case history shows for each recorded step (who and when; `%(actor)s`, `%(when)s`). Templates only look up.


@dataclass(frozen=True)
class Step:
    sentence: str  # lazy; "%(actor)s … %(when)s"
    verb: str = ""  # the button's label, for steps staff take
    note_label: str = ""  # what the step's note is ("Reason", "Result"); plain "Note" when empty


# The staff's steps: the action a button posts, and the state it moves the case to.
STAFF_ACTIONS: dict[str, CaseState] = {
    "accept": S.ACCEPTED,
    "not_accept": S.NOT_ACCEPTED,
    "transfer": S.TRANSFERRED,
    "start_handling": S.HANDLING,
    "conclude": S.CONCLUDED,
    "close": S.CLOSED,
}

_REASON = pgettext_lazy("case history", "Reason")
_RESULT = pgettext_lazy("case history", "Result")

# (action, state reached) → how the step reads; (action, None) when the state reached does not change the words.
CASE_STEPS: dict[tuple[str, str | None], Step] = {
    ("filed", None): Step(pgettext_lazy("case history", "The report was received on %(when)s.")),
    ("accept", None): Step(
        pgettext_lazy("case history", "%(actor)s accepted the case on %(when)s."),
        verb=pgettext_lazy("case step", "Accept"),
    ),
    ("not_accept", None): Step(
        pgettext_lazy("case history", "%(actor)s decided not to accept the case on %(when)s."),
        verb=pgettext_lazy("case step", "Do not accept"),
        note_label=_REASON,
    ),
    ("transfer", None): Step(
        pgettext_lazy("case history", "%(actor)s transferred the case to another body on %(when)s."),
        verb=pgettext_lazy("case step", "Transfer to another body"),
    ),
    # The same step when the body it went to is known (Report.transferred_to).
    ("transfer", "named"): Step(
        pgettext_lazy("case history", "%(actor)s transferred the case to %(body)s on %(when)s."),
        verb=pgettext_lazy("case step", "Transfer to another body"),
    ),
    ("start_handling", None): Step(
        pgettext_lazy("case history", "%(actor)s started handling the case on %(when)s."),
        verb=pgettext_lazy("case step", "Start handling"),
    ),
    ("extended", None): Step(
        pgettext_lazy("case history", "%(actor)s extended the handling time on %(when)s."), note_label=_REASON
    ),
    ("conclude", None): Step(
        pgettext_lazy("case history", "%(actor)s concluded the handling on %(when)s."),
        verb=pgettext_lazy("case step", "Conclude"),
        note_label=_RESULT,
    ),
    ("replied", None): Step(pgettext_lazy("case history", "%(actor)s replied to the reporter on %(when)s.")),
    ("replied", S.REVIEW_REPLIED): Step(pgettext_lazy("case history", "%(actor)s answered the review on %(when)s.")),
    ("replied", S.RE_REVIEW_REPLIED): Step(
        pgettext_lazy("case history", "%(actor)s answered the re-review on %(when)s.")
    ),
    ("evaluated", S.SATISFIED): Step(
        pgettext_lazy("case history", "The reporter said on %(when)s that they are satisfied.")
    ),
    ("evaluated", S.UNSATISFIED): Step(
        pgettext_lazy("case history", "The reporter said on %(when)s that they are not satisfied.")
    ),
    ("evaluated", S.RE_REVIEW): Step(
        pgettext_lazy(
            "case history", "The reporter was not satisfied with the review and asked for a re-review on %(when)s."
        )
    ),
    ("evaluated", S.CLOSED): Step(
        pgettext_lazy("case history", "The reporter said on %(when)s that they are not satisfied; the case ends here.")
    ),
    ("evaluated", None): Step(pgettext_lazy("case history", "The reporter evaluated the result on %(when)s.")),
    ("review_requested", None): Step(pgettext_lazy("case history", "The reporter asked for a review on %(when)s.")),
    ("information_added", None): Step(pgettext_lazy("case history", "The reporter added information on %(when)s.")),
    ("assigned", None): Step(pgettext_lazy("case history", "%(actor)s assigned the case to %(handler)s on %(when)s.")),
    ("close", None): Step(
        pgettext_lazy("case history", "%(actor)s closed the case on %(when)s."),
        verb=pgettext_lazy("case step", "Close the case"),
    ),
    ("closed", None): Step(pgettext_lazy("case history", "The case was closed on %(when)s.")),
}
UNKNOWN_STEP = Step(pgettext_lazy("case history", "%(actor)s moved the case from “%(from)s” to “%(to)s” on %(when)s."))

# Who saw what of a reporter's (IdentityAccess.what): the history says who, when and why, never what was seen.
# The system's own reads (the address a progress notice goes to, after every step) stay in the access log only.
IDENTITY_ACCESSES: dict[str, Step] = {
    "identity": Step(
        pgettext_lazy("case history", "%(actor)s viewed the reporter's identity on %(when)s."), note_label=_REASON
    ),
    "attachment": Step(
        pgettext_lazy("case history", "%(actor)s opened an attachment on %(when)s."), note_label=_REASON
    ),
}


def case_step(action: str, to_state: str | None = None) -> Step:
    """How a recorded step reads; a step this map does not know still reads as a sentence."""
    return CASE_STEPS.get((action, to_state)) or CASE_STEPS.get((action, None)) or UNKNOWN_STEP


def staff_verb(action: str) -> str:
    """The label of the button that takes a staff step."""
    return case_step(action).verb or action
