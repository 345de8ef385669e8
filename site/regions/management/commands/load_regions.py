from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regions.services import GB2260_CSV, RegionFileError, load_regions, read_region_rows


class Command(BaseCommand):
    help = "Load GB/T 2260 administrative divisions (code,name CSV). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(GB2260_CSV))

    def handle(self, *args, path: str, **options):
        try:
            rows = read_region_rows(Path(path))
        except (OSError, RegionFileError) as error:
            raise CommandError(str(error)) from error
        created, updated = load_regions(rows)
        self.stdout.write(f"regions: {len(rows)} read, {created} created, {updated} updated")
