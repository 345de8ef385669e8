"""Where a monitored record is, for the pages: its region, or "境外样例数据" for the international sample."""

from __future__ import annotations

from django import template

from monitoring.procurement.origin import place as record_place

register = template.Library()


@register.filter
def place(record) -> str:
    """`{{ alert|place }}`, `{{ process|place }}`: the region's full name, or the international-sample label."""
    return record_place(record)
