"""Words for the codes a case carries (states, deadline rules, staff steps), for the staff pages."""

from __future__ import annotations

from django import template
from django.utils.translation import pgettext_lazy

from petitions.states import CaseState

register = template.Library()

DUE_RULES = {
    "accept_or_transfer": pgettext_lazy("case deadline", "decide to accept or transfer"),
    "handle": pgettext_lazy("case deadline", "conclude the handling"),
    "reply": pgettext_lazy("case deadline", "reply to the reporter"),
    "review": pgettext_lazy("case deadline", "answer the review"),
    "re_review": pgettext_lazy("case deadline", "answer the re-review"),
}

STAFF_STEPS = {
    "accept": pgettext_lazy("case step", "Accept"),
    "not_accept": pgettext_lazy("case step", "Do not accept"),
    "transfer": pgettext_lazy("case step", "Transfer to another body"),
    "start_handling": pgettext_lazy("case step", "Start handling"),
    "conclude": pgettext_lazy("case step", "Conclude"),
    "close": pgettext_lazy("case step", "Close the case"),
}


@register.filter
def case_state(code: str) -> str:
    """A case state's label; empty for no state (the first step has none before it)."""
    if not code:
        return ""
    try:
        return CaseState(code).label
    except ValueError:
        return code


@register.filter
def due_rule(code: str) -> str:
    return DUE_RULES.get(code, code)


@register.filter
def staff_step(name: str) -> str:
    return STAFF_STEPS.get(name, name)
