"""Words for the codes an alert carries, for the monitoring pages; the workflow's words are in monitoring.states."""

from __future__ import annotations

from django import template

from monitoring.alert_history import alert_history as history_lines
from monitoring.states import ALERT_STEPS, AlertState, alert_verb

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


@register.filter
def alert_step(target: str) -> str:
    """The verb on the button that moves an alert to `target` (签收, 开始核查, 确认, 排除)."""
    return alert_verb(target)


@register.simple_tag
def alert_history(events):
    """The alert's steps as sentences with who and when (monitoring.alert_history)."""
    return history_lines(events)


@register.filter
def in_step_order(targets):
    """The (state, label) pairs an alert may move to, in the workflow's order (签收, 开始核查, 确认, 排除, 关闭)."""
    order = list(ALERT_STEPS)
    return sorted(targets, key=lambda pair: order.index(pair[0]) if pair[0] in order else len(order))
