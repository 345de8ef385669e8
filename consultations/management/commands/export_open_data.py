import json
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Write the published comments of drafts whose handling report is published to open-data files "
        "(CSV and JSON Lines, campaigns marked by key) under OPEN_DATA_ROOT. The last line is a JSON summary."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--draft", type=int, help="id of the DraftPage (default: every draft with a published report)"
        )

    def handle(self, *args, draft: int | None, **options):
        from consultations.exports import write_open_data
        from consultations.models import DraftPage, DraftStatus

        drafts = DraftPage.objects.filter(report_publication__isnull=False).order_by("pk")
        if draft is not None:
            page = DraftPage.objects.filter(pk=draft).first()
            if page is None:
                raise CommandError(f"no draft with id {draft}")
            if page.status != DraftStatus.REPORT_PUBLISHED:
                raise CommandError(f"draft {draft} ({page.title}): its handling report is not published yet")
            drafts = [page]
        started, rows, written = time.monotonic(), 0, []
        for number, page in enumerate(drafts, start=1):
            self.stdout.write(f"[{number}] draft {page.pk} {page.title}")
            paths, count = write_open_data(page, progress=lambda n: self.stdout.write(f"  {n:,} comments written"))
            rows += count
            written += [str(path) for path in paths.values()]
            self.stdout.write(f"  {count:,} comments → {', '.join(str(p) for p in paths.values())}")
        seconds = round(time.monotonic() - started, 2)
        self.stdout.write(f"Done: {len(written) // 2} drafts, {rows:,} comments, {seconds} s")
        self.stdout.write(json.dumps({"drafts": len(written) // 2, "comments": rows, "seconds": seconds}))
