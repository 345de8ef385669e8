"""Report live events as staff read them on the live panel (registered in ReportsConfig.ready).

Report events name no one: a case is shown by its reference and state, never by its content or reporter.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from core.events import Description
from workdays.deadlines import escalation_words


def describe_report(event_type: str, payload: dict[str, Any]) -> Description:
    from reports.models import Report

    url = ""
    if "report" in payload:
        url = reverse("reports:staff_detail", args=[uuid.UUID(str(payload["report"]))])
    summary = payload.get("summary", "")
    if event_type == "report.received":
        return Description(_("A new report arrived: %(summary)s") % {"summary": summary}, url=url)
    if event_type == "report.assigned":
        return Description(_("A case was assigned to you."), url=url)
    if event_type == "report.updated":
        return Description(_("The reporter added information to a case."), url=url)
    if event_type == "report.signal":
        return Description(_("%(count)s reports name the same target.") % {"count": payload.get("count", "")})
    if event_type == "report.changed":
        states = dict(Report._meta.get_field("state").flatchoices)
        state = states.get(payload.get("state"), summary)
        return Description(_("A case is now “%(state)s”.") % {"state": state}, url=url)
    if event_type in ("report.overdue", "report.due_soon"):
        level = payload.get("escalation", "")
        if not payload.get("reference"):  # stored before events carried the reference: their sentence says it all
            return Description(summary, url=url, level=level)
        return Description(
            _("Case %(reference)s: %(level)s.") % {"reference": payload["reference"], "level": escalation_words(level)},
            url=url,
            level=level,
        )
    return Description(_("A case changed."), url=url)
