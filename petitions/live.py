"""Petition live events as staff read them on the live panel (registered in PetitionsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from core.events import Description
from workdays.deadlines import escalation_words


def may_receive_petition_event(user, event_type: str, payload: dict[str, Any]) -> bool:
    """Petitions are handled by legislative staff and administrators (the region group reaches inspectors too)."""
    return has_role(user, Role.LEGISLATOR, Role.ADMINISTRATOR)


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
        sentence = _("Government response to “%(title)s”: %(level)s.") % {
            "title": title,
            "level": escalation_words(level),
        }
        return Description(sentence, url=url, level=level)
    return Description(sentences.get(event_type, _("A petition changed: “%(title)s”.")) % facts, url=url)
