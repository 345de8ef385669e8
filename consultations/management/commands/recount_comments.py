"""Count a draft's comments again into its tallies (consultations.tallies): after loading data with the
triggers disabled, or to repair. Migration 0006 runs it once for the comments already there."""

from django.core.management.base import BaseCommand, CommandError

from consultations import tallies
from consultations.models import DraftPage


class Command(BaseCommand):
    help = "Count the comments of one draft (--draft) or of every draft again into the tallies the screens read."

    def add_arguments(self, parser):
        parser.add_argument("--draft", type=int, help="the draft's page id (default: every draft)")

    def handle(self, *args, draft=None, verbosity=1, **options):
        if draft is not None:
            if not DraftPage.objects.filter(pk=draft).exists():
                raise CommandError(f"No draft with id {draft}.")
            tallies.recount(draft)
            counted = 1
        else:
            counted = tallies.recount_all(
                progress=lambda pk: verbosity > 1 and self.stdout.write(f"draft {pk} counted")
            )
        if verbosity:
            self.stdout.write(f"{counted} draft(s) counted.")
