"""Monitoring's live events as people read them, and who may receive them (registered in MonitoringConfig.ready)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from core.events import Description


def _alert_url(payload: dict[str, Any]) -> str:
    return reverse("monitoring:alert", args=[uuid.UUID(str(payload["alert"]))])


def may_receive_event(user, event_type: str, payload: dict[str, Any]) -> bool:
    """An `alert.*` or `task.*` event reaches only those who may open the alert (inspectors of its jurisdiction)."""
    from monitoring.services import alerts_for

    try:
        public_id = uuid.UUID(str(payload["alert"]))
    except (KeyError, ValueError):
        return False
    return alerts_for(user).filter(public_id=public_id).exists()


def describe_alert(event_type: str, payload: dict[str, Any]) -> Description:
    severity = payload.get("severity", "")
    sentences = {
        "red": _("New red alert, to verify: %(title)s"),
        "yellow": _("New yellow alert, to look into: %(title)s"),
        "blue": _("New alert, for information: %(title)s"),
    }
    text = sentences.get(severity, _("New alert: %(title)s")) % {"title": payload.get("summary", "")}
    return Description(text, url=_alert_url(payload), level=severity)


def describe_task(event_type: str, payload: dict[str, Any]) -> Description:
    title = payload.get("summary", "")
    url = _alert_url(payload)
    if event_type == "task.assigned":
        return Description(_("A verification task was assigned to you: %(title)s") % {"title": title}, url=url)
    level = payload.get("escalation", "yellow")
    due = payload.get("due_on")
    facts = {
        "title": title,
        "due": formats.date_format(date.fromisoformat(due), "DATE_FORMAT") if due else "",
        "days": payload.get("overdue_days", ""),
    }
    if level == "reminder":
        text = _("Verification task due on %(due)s: %(title)s") % facts
    elif level == "red":
        text = _("Verification task %(days)s days overdue, escalated to red: %(title)s") % facts
    elif due:
        text = _("Verification task overdue since %(due)s: %(title)s") % facts
    else:
        text = _("Verification task overdue: %(title)s") % facts
    return Description(text, url=url, level=level)
