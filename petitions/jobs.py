"""Petitions' periodic jobs (registered in PetitionsConfig.ready; run by core.scheduler and `check_deadlines`)."""

from __future__ import annotations

from petitions.reports import refresh_escalations
from petitions.services import close_expired_petitions


def check_report_deadlines() -> str:
    """Deadlines and escalation (reminder → yellow → red) of open report cases."""
    escalated = refresh_escalations()
    return f"{len(escalated)} cases escalated"


def close_petitions() -> str:
    """Close the petitions whose signing period has ended."""
    return f"{close_expired_petitions()} petitions closed"
