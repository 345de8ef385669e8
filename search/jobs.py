"""Search's periodic job (registered in SearchConfig.ready): index what the outbox still holds."""

from __future__ import annotations

from search.indexing import process_outbox


def index_pending() -> str:
    """Drain the outbox (after a search-server outage, or a change whose after-commit run failed)."""
    run = process_outbox()
    summary = f"{run.indexed} indexed, {run.deleted} removed"
    return f"{summary}; waiting: {run.error}" if run.error else summary
