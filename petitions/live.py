"""Report and petition live events as staff read them on the live panel (registered in PetitionsConfig.ready).

Report events name no one: a case is shown by its reference and state, never by its content or reporter.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from core.events import Description

LEVELS = {"reminder": "due soon", "yellow": "overdue (yellow)", "red": "overdue (red)"}


def _level(code: str) -> str:
    return _(LEVELS[code]) if code in LEVELS else ""


def may_receive_petition_event(user, event_type: str, payload: dict[str, Any]) -> bool:
    """Petitions are handled by legislative staff and administrators (the region group reaches inspectors too)."""
    return has_role(user, Role.LEGISLATOR, Role.ADMINISTRATOR)


def describe_report(event_type: str, payload: dict[str, Any]) -> Description:
    from petitions.models import Report

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
            _("Case %(reference)s: %(level)s.") % {"reference": payload["reference"], "level": _level(level)},
            url=url,
            level=level,
        )
    return Description(_("A case changed."), url=url)


def describe_petition(event_type: str, payload: dict[str, Any]) -> Description:
    from petitions.models import Petition

    petition = Petition.objects.filter(pk=payload.get("petition")).only("pk", "title").first()
    title = petition.title if petition else payload.get("summary", "")
    url = reverse("petitions:detail", args=[petition.pk]) if petition else ""
    facts = {"title": title, "count": payload.get("count", "")}
    sentences = {
        "petition.trending": _("Signatures are arriving unusually fast on “%(title)s”."),
        "petition.pending": _("“%(title)s” has its sponsors and awaits moderation."),
        "petition.response_threshold": _("“%(title)s” reached %(count)s signatures: the government must respond."),
        "petition.debate_threshold": _("“%(title)s” reached %(count)s signatures: to be considered for debate."),
        "petition.responded": _("The government response to “%(title)s” is published."),
    }
    if event_type in ("petition.response_overdue", "petition.response_due_soon"):  # the answer loop's clock
        level = payload.get("escalation", "")
        url = reverse("petitions:respond", args=[petition.pk]) if petition else ""
        sentence = _("Government response to “%(title)s”: %(level)s.") % {"title": title, "level": _level(level)}
        return Description(sentence, url=url, level=level)
    return Description(sentences.get(event_type, _("A petition changed: “%(title)s”.")) % facts, url=url)
