"""Words for the codes an alert carries, for the monitoring pages."""

from __future__ import annotations

from django import template

from monitoring.states import AlertState

register = template.Library()


@register.filter
def alert_state(code: str) -> str:
    """An alert state's label; empty for no state (the first event has none before it)."""
    if not code:
        return ""
    try:
        return AlertState(code).label
    except ValueError:
        return code
