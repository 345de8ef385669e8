"""The report channel's periodic jobs (registered in ReportsConfig.ready; run by core.scheduler and
`check_deadlines`)."""

from __future__ import annotations

from reports.services import refresh_escalations


def check_report_deadlines() -> str:
    """Deadlines and escalation (reminder → yellow → red) of open report cases."""
    escalated = refresh_escalations()
    return f"{len(escalated)} cases escalated"
