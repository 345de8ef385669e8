"""Consultation events on the staff's live panel (registered in ConsultationsConfig.ready): for legislators and
administrators of the draft's jurisdiction, in words."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from core.events import Description


def may_receive_event(user, event_type: str, payload: dict[str, Any]) -> bool:
    """Comments concern the legislators who review them (the region group reaches inspectors too)."""
    return has_role(user, Role.LEGISLATOR, Role.ADMINISTRATOR)


def describe_comment(event_type: str, payload: dict[str, Any]) -> Description:
    facts = {"where": payload.get("summary", "")}
    sentences = {
        "comment.submitted": _("New comment on %(where)s"),
        "comment.approved": _("A comment on %(where)s was published"),
        "comment.rejected": _("A comment on %(where)s was not published"),
    }
    if event_type == "comment.submitted":
        url = reverse("consultations_admin:moderation")
    else:
        url = reverse("consultations_admin:review", args=[int(payload["draft"])]) if "draft" in payload else ""
    return Description(sentences.get(event_type, _("A comment changed: %(where)s")) % facts, url=url)
