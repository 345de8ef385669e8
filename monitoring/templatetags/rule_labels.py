"""A rule's title for a rule code, for the monitoring pages (never the bare code)."""

from __future__ import annotations

from django import template

from monitoring.rules import registry

register = template.Library()


@register.filter
def rule_title(code: str) -> str:
    """The rule's title in the active language (the code only for a rule that no longer exists)."""
    return registry.title(code or "")
