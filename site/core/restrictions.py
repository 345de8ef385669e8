"""Whether any page has a view restriction (Wagtail's privacy setting), from the cache.

Wagtail asks for a page's restrictions on every view of it (two queries: its aliases, then the restrictions of
the page and its ancestors), and the busiest pages (a draft, its comment address, its live counts) ask on every
request. Most sites restrict no page at all: then the answer is known without the database. The flag is emptied
when a restriction is saved or deleted and that change commits, and lives a minute at most (a process whose Redis
is away keeps its own copy no longer than that).
"""

from __future__ import annotations

from core.cache import forget_when_changed, read_through

KEY = "core:any-page-view-restriction"
SECONDS = 60


def any_page_restricted() -> bool:
    from wagtail.models import PageViewRestriction

    return read_through(KEY, PageViewRestriction.objects.exists, SECONDS)


def connect() -> None:
    """Called once (core.apps): a restriction saved or deleted empties the flag when it commits."""
    from wagtail.models import PageViewRestriction

    forget_when_changed(PageViewRestriction, KEY)
