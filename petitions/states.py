"""A petition's life: its statuses and the moves allowed between them (its own map, apart from the report case
workflow in `reports.states`).

    collecting sponsors → awaiting moderation → open for signatures → closed
                                              ↘ rejected

A petition gathers its sponsors, waits for a moderator who publishes or rejects it, collects signatures while
open and closes when its signing period ends. Rejected and closed are final. The services check each move
here (`can_move`) before they make it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PetitionStatus(models.TextChoices):
    COLLECTING_SPONSORS = "sponsors", _("Collecting sponsors")
    PENDING = "pending", _("Awaiting moderation")
    OPEN = "open", _("Open for signatures")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


P = PetitionStatus

TRANSITIONS: dict[PetitionStatus, frozenset[PetitionStatus]] = {
    P.COLLECTING_SPONSORS: frozenset({P.PENDING}),  # enough sponsors confirmed
    P.PENDING: frozenset({P.OPEN, P.REJECTED}),  # a moderator's decision
    P.OPEN: frozenset({P.CLOSED}),  # the signing period ended
}

SIGNABLE_STATUSES = frozenset({P.COLLECTING_SPONSORS, P.OPEN})  # sponsors sign first, then everyone
PUBLIC_STATUSES = frozenset({P.OPEN, P.CLOSED})
FINAL_STATUSES = frozenset(set(P) - set(TRANSITIONS))


def can_move(current: str, target: str) -> bool:
    """Whether a petition may go from `current` to `target`."""
    return PetitionStatus(target) in TRANSITIONS.get(PetitionStatus(current), frozenset())


def statuses_before(target: str) -> frozenset[PetitionStatus]:
    """The statuses a petition may reach `target` from (to select the petitions a step applies to)."""
    return frozenset(source for source, targets in TRANSITIONS.items() if PetitionStatus(target) in targets)
