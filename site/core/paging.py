"""Pages of a long list whose length is known without counting it (a tally, a stored size).

Django's Paginator counts the whole list (`SELECT COUNT(*)`) before it cuts a page; over hundreds of thousands
of rows that count costs more than the page. `CountedPaginator` is given the count instead, so a page is one
LIMIT/OFFSET query.
"""

from __future__ import annotations

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """A Paginator told how many items there are (the caller knows it from elsewhere)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = max(int(count), 0)  # Paginator.count is a cached_property
