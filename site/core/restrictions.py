"""Whether any page has a view restriction (Wagtail's privacy setting), from the cache.

Wagtail asks for a page's restrictions on every view of it (two queries: its aliases, then the restrictions of
the page and its ancestors), and the busiest pages (a draft, its comment address, its live counts) ask on every
request. Most sites restrict no page at all: then the answer is known without the database. The flag is emptied
when a restriction is saved or deleted and that change commits, and lives a minute at most (a process whose Redis
is away keeps its own copy no longer than that).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction

KEY = "core:any-page-view-restriction"
SECONDS = 60


def any_page_restricted() -> bool:
    from wagtail.models import PageViewRestriction

    found = cache.get(KEY)
    if found is None:
        found = PageViewRestriction.objects.exists()
        cache.set(KEY, found, timeout=SECONDS)
    return bool(found)


def forget(**kwargs: Any) -> None:
    """Connected to PageViewRestriction's saves and deletes (core.apps)."""
    transaction.on_commit(lambda: cache.delete(KEY))


def connect() -> None:
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import PageViewRestriction

    post_save.connect(forget, sender=PageViewRestriction, dispatch_uid="core-restriction-saved")
    post_delete.connect(forget, sender=PageViewRestriction, dispatch_uid="core-restriction-deleted")
