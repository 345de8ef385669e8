"""OCDS codelist values in words (the process page never prints a code such as `active` or `disqualified`).

The codes are the OCDS 1.1 closed codelists (https://standard.open-contracting.org/1.1/en/schema/codelists/);
a value outside them (a publisher's extension) is shown as received.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()

CODELISTS = {
    "tender_status": {
        "planning": pgettext_lazy("tender status", "Planning"),
        "planned": pgettext_lazy("tender status", "Planned"),
        "active": pgettext_lazy("tender status", "Open for bids"),
        "cancelled": pgettext_lazy("tender status", "Cancelled"),
        "unsuccessful": pgettext_lazy("tender status", "Unsuccessful"),
        "complete": pgettext_lazy("tender status", "Complete"),
        "withdrawn": pgettext_lazy("tender status", "Withdrawn"),
    },
    "method": {
        "open": _("Open tendering"),
        "selective": _("Selective tendering"),
        "limited": _("Limited tendering"),
        "direct": _("Direct award"),
    },
    "category": {
        "goods": _("Goods"),
        "works": _("Works"),
        "services": _("Services"),
    },
    "bid_status": {
        "invited": pgettext_lazy("bid status", "Invited"),
        "pending": pgettext_lazy("bid status", "Under evaluation"),
        "valid": pgettext_lazy("bid status", "Valid"),
        "active": pgettext_lazy("bid status", "Valid"),  # Prozorro's word for a valid bid
        "disqualified": pgettext_lazy("bid status", "Disqualified"),
        "withdrawn": pgettext_lazy("bid status", "Withdrawn"),
    },
    "award_status": {
        "pending": pgettext_lazy("award status", "Pending"),
        "active": pgettext_lazy("award status", "In force"),
        "cancelled": pgettext_lazy("award status", "Cancelled"),
        "unsuccessful": pgettext_lazy("award status", "Unsuccessful"),
    },
    "contract_status": {
        "pending": pgettext_lazy("contract status", "Not yet signed"),
        "active": pgettext_lazy("contract status", "In force"),
        "cancelled": pgettext_lazy("contract status", "Cancelled"),
        "terminated": pgettext_lazy("contract status", "Ended"),
    },
}


@register.filter
def ocds_label(code: str | None, codelist: str) -> str:
    """`{{ bid.status|ocds_label:"bid_status" }}`: the code in words, "—" when there is none."""
    if not code:
        return "—"
    return str(CODELISTS[codelist].get(code, code))
