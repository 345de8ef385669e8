from django.core.management.base import BaseCommand, CommandError

from reports.receipts import verify_receipts


class Command(BaseCommand):
    help = "Check the receipt hash chain of all reports. Exits non-zero naming the first broken receipt."

    def handle(self, *args, **options):
        result = verify_receipts()
        if not result.ok:
            receipt = result.broken
            raise CommandError(
                f"receipt #{receipt.sequence} (report {receipt.report.reference}) is broken: {result.problem}; "
                f"{result.checked - 1} receipts before it are intact"
            )
        self.stdout.write(f"receipts: {result.checked} checked, chain intact")
