"""The records a domain lets a viewer see, for another domain to show without importing it.

A domain app registers, from its AppConfig.ready, what records of one kind a user may see (the reports app:
`register("reports", reports.selectors.cases_for)`: jurisdiction and conflicts of interest). Another domain asks
for them by kind (`visible_to(user, "reports")`): monitoring's entity timeline lists the reports about an entity
this way, under the reports app's own rule, and imports nothing of it. Domain apps stay independent of each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

Provider = Callable[[Any], QuerySet]

_providers: dict[str, Provider] = {}


def register(kind: str, provider: Provider) -> None:
    """`provider(user)` returns the records of `kind` that `user` may see (a queryset, empty for none)."""
    _providers[kind] = provider


def visible_to(user, kind: str) -> QuerySet:
    """The records of `kind` that `user` may see, by the rule of the app that registered them."""
    try:
        provider = _providers[kind]
    except KeyError:
        raise LookupError(
            f"No app registered the records {kind!r} (core.records.register, in AppConfig.ready)"
        ) from None
    return provider(user)


def kinds() -> frozenset[str]:
    return frozenset(_providers)
