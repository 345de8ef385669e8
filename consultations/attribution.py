"""Comments imported from another consultation, and how a page says so.

    notices(sources) -> list[Notice]                  what to say, once per page, for these sources
    draft_notices(draft, *, visible_only=True)        the same for every comment of a draft (one query, a few
                                                      index lookups: one per distinct source)

A comment's `source` names where it comes from; it is empty for comments made here. A page that shows
such comments says once, in the reader's language, where they come from, under which licence and with a
link. A source this module knows is put in words; any other is shown as it was stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
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


MAX_SOURCES = 50  # distinct sources a draft's notices name at most (a draft has one or two)


def draft_notices(draft: DraftPage, *, visible_only: bool = True) -> list[Notice]:
    """Notices for the draft's comments (its published ones only, unless `visible_only` is false).

    The distinct sources are read by a loose index scan of the partial index of comments with a source
    (`comment_imported_source`): a recursive query that seeks the first source, then the first one after it,
    and so on, so it reads one index entry per distinct source (plus, with `visible_only`, the unpublished
    ones it steps over) rather than every imported comment; a draft of comments made here costs one lookup.
    PostgreSQL and SQLite run the same SQL."""
    return notices(_distinct_sources(draft.pk, visible_only=visible_only))


def _distinct_sources(draft_id: int, *, visible_only: bool) -> list[str]:
    table = connection.ops.quote_name(Comment._meta.db_table)
    visible = ""
    params: list = []
    if visible_only:
        visible = f" AND status IN ({', '.join(['%s'] * len(VISIBLE_STATUSES))})"
        params = list(VISIBLE_STATUSES)
    first = f"SELECT source FROM {table} WHERE draft_id = %s AND source <> ''{visible} ORDER BY source LIMIT 1"  # noqa: S608
    after = (
        f"SELECT c.source FROM {table} c WHERE c.draft_id = %s AND c.source <> '' AND c.source > s.source{visible} "  # noqa: S608
        "ORDER BY c.source LIMIT 1"
    )
    sql = (
        f"WITH RECURSIVE s(source, n) AS (SELECT ({first}), 1 "  # noqa: S608 - constant names; values are parameters
        f"UNION ALL SELECT ({after}), s.n + 1 FROM s WHERE s.source IS NOT NULL AND s.n < %s) "
        "SELECT source FROM s WHERE source IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [draft_id, *params, draft_id, *params, MAX_SOURCES])
        return [source for (source,) in cursor.fetchall()]
