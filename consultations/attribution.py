"""Comments imported from another consultation, and how a page says so.

    notices(sources) -> list[Notice]                  what to say, once per page, for these sources
    draft_notices(draft, *, visible_only=True)        the same for every comment of a draft (one indexed query)

A comment's `source` names where it comes from; it is empty for comments made here. A page that shows
such comments says once, in the reader's language, where they come from, under which licence and with a
link. A source this module knows is put in words; any other is shown as it was stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.models import VISIBLE_STATUSES, Comment, DraftPage

VTAIWAN_UBERX = "vTaiwan UberX (Pol.is), CC BY 4.0, The Computational Democracy Project — https://pol.is/3phdex2kjf"


@dataclass(frozen=True)
class Notice:
    text: str
    url: str = ""


KNOWN = {
    VTAIWAN_UBERX: (
        gettext_lazy(
            "Comments here that were not made on this site come from another consultation: vTaiwan's 2015–16 "
            "discussion on how to regulate UberX, held on Pol.is. They are used under the CC BY 4.0 licence, with"
            " attribution to The Computational Democracy Project, in their original Traditional Chinese. For this"
            " demonstration their dates were moved into this consultation's window, in their original order, and "
            "their positions were labelled by Sunshine."
        ),
        "https://pol.is/3phdex2kjf",
    ),
}


def notices(sources: Iterable[str]) -> list[Notice]:
    result: list[Notice] = []
    for source in sorted({source for source in sources if source}):
        if source in KNOWN:
            text, url = KNOWN[source]
            result.append(Notice(str(text), url))
        else:
            result.append(Notice(_("Some comments on this page come from elsewhere: %(source)s") % {"source": source}))
    return result


def draft_notices(draft: DraftPage, *, visible_only: bool = True) -> list[Notice]:
    """Notices for the draft's comments (its published ones only, unless `visible_only` is false).

    Reads the partial index of comments with a source, so a draft of comments made here costs nothing."""
    comments = Comment.objects.filter(draft=draft).exclude(source="")
    if visible_only:
        comments = comments.filter(status__in=VISIBLE_STATUSES)
    return notices(comments.order_by().values_list("source", flat=True).distinct())
