"""Petitions' periodic jobs (registered in PetitionsConfig.ready; run by core.scheduler and `check_deadlines`)."""

from __future__ import annotations

from petitions.services import close_expired_petitions


def close_petitions() -> str:
    """Close the petitions whose signing period has ended."""
    return f"{close_expired_petitions()} petitions closed"
