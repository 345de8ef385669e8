"""Re-index everything from the database: `manage.py rebuild_index [--type comment ...]`.

Progress goes to stdout as the documents are built and written: every batch with `-v 2`, else at most
every few seconds, with the rate and the time left.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from search.backends import get_backend
from search.documents import registered
from search.indexing import rebuild

PROGRESS_EVERY = 5.0  # seconds between progress lines (every batch with -v 2)


class Command(BaseCommand):
    help = "Rebuild the search index from the database (on Elasticsearch: a new index, then an atomic alias swap)."

    def add_arguments(self, parser):
        parser.add_argument("--type", action="append", choices=sorted(registered()), dest="types")

    def handle(self, *args, types=None, verbosity=1, **options):
        backend = get_backend()
        names = types or list(registered())
        started = time.perf_counter()
        self.stdout.write(f"Rebuilding {', '.join(names)} on {type(backend).__name__}")
        every = 0.0 if verbosity >= 2 else PROGRESS_EVERY
        state = {"since": started, "shown": started}  # when the current type began, when a line was last shown

        def progress(name: str, done: int, total: int) -> None:
            now = time.perf_counter()
            if done < total and now - state["shown"] < every:
                return
            rate = done / max(now - state["since"], 1e-9)
            left = f", {(total - done) / rate:.0f} s left" if done < total and rate else ""
            share = f" ({done / total:.0%})" if total else ""
            self.stdout.write(f"  {name}: {done:,} / {total:,} documents{share}, {rate:,.0f}/s{left}")
            self.stdout.flush()
            state["shown"] = now
            if done >= total:  # this type is done; the next begins now
                state["since"] = now

        written = rebuild(names, progress=progress)
        counts = ", ".join(f"{name} {backend.count(name)}" for name in names)
        self.stdout.write(
            self.style.SUCCESS(f"{written} documents indexed in {time.perf_counter() - started:.1f} s ({counts})")
        )
