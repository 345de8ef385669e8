"""Index what the outbox still holds (after an outage of the search server, or from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from search.indexing import process_outbox
from search.models import IndexOutbox


class Command(BaseCommand):
    help = "Process the search outbox until it is empty; fails if the search server is unreachable."

    def handle(self, *args, **options):
        pending = IndexOutbox.objects.count()
        self.stdout.write(f"{pending} changes waiting")
        run = process_outbox()
        left = IndexOutbox.objects.count()
        summary = f"{run.indexed} indexed, {run.deleted} removed, {left} still waiting"
        if run.error:
            raise CommandError(f"{summary}; search server unavailable: {run.error}")
        self.stdout.write(self.style.SUCCESS(summary))
