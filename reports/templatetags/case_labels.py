"""Words for the codes a case carries (states, deadline rules), for the staff pages.

The words of the workflow's steps (buttons, history sentences) are in `reports.states`.
"""

from __future__ import annotations

from django import template
from django.utils.translation import pgettext_lazy

from reports.states import CaseState

register = template.Library()

DUE_RULES = {
    "accept_or_transfer": pgettext_lazy("case deadline", "decide to accept or transfer"),
    "handle": pgettext_lazy("case deadline", "conclude the handling"),
    "reply": pgettext_lazy("case deadline", "reply to the reporter"),
    "review": pgettext_lazy("case deadline", "answer the review"),
    "re_review": pgettext_lazy("case deadline", "answer the re-review"),
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
    """What is due next, in words; nothing for a rule without words (never its code)."""
    return DUE_RULES.get(code, "")
