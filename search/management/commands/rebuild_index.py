"""Re-index everything from the database: `manage.py rebuild_index [--type comment ...]`."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from search.backends import get_backend
from search.documents import registered
from search.indexing import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from the database (on Elasticsearch: a new index, then an atomic alias swap)."

    def add_arguments(self, parser):
        parser.add_argument("--type", action="append", choices=sorted(registered()), dest="types")

    def handle(self, *args, types=None, **options):
        backend = get_backend()
        names = types or list(registered())
        started = time.perf_counter()
        self.stdout.write(f"Rebuilding {', '.join(names)} on {type(backend).__name__}")

        def progress(name, count):
            self.stdout.write(f"  {name}: {count} documents")

        written = rebuild(names, progress=progress)
        counts = ", ".join(f"{name} {backend.count(name)}" for name in names)
        self.stdout.write(
            self.style.SUCCESS(f"{written} documents indexed in {time.perf_counter() - started:.1f} s ({counts})")
        )
