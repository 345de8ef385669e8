"""A petition's own transition map: sponsors → moderation → open → closed, or rejected; nothing leaves a final status."""

import pytest

from petitions.states import FINAL_STATUSES, TRANSITIONS, PetitionStatus, can_move, statuses_before

P = PetitionStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [(P.COLLECTING_SPONSORS, P.PENDING), (P.PENDING, P.OPEN), (P.PENDING, P.REJECTED), (P.OPEN, P.CLOSED)],
)
def test_the_moves_a_petition_may_make(current, target):
    assert can_move(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (P.COLLECTING_SPONSORS, P.OPEN),  # no petition opens without a moderator
        (P.OPEN, P.REJECTED),  # rejection is a moderation decision, before opening
        (P.REJECTED, P.OPEN),
        (P.CLOSED, P.OPEN),
        (P.PENDING, P.CLOSED),
    ],
)
def test_the_moves_it_may_not(current, target):
    assert not can_move(current, target)


def test_closed_and_rejected_are_final_and_only_open_petitions_close():
    assert {P.CLOSED, P.REJECTED} == FINAL_STATUSES
    assert all(not can_move(final, other) for final in FINAL_STATUSES for other in P)
    assert statuses_before(P.CLOSED) == {P.OPEN}
    assert set(TRANSITIONS) | FINAL_STATUSES == set(P)


def test_the_map_speaks_of_petitions_not_of_report_cases():
    # "closed" exists in both workflows; a case's steps ("accepted", "handling") are not a petition's.
    with pytest.raises(ValueError):
        can_move("received", "accepted")
