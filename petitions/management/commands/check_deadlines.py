from django.core.management.base import BaseCommand

from petitions.reports import refresh_escalations
from petitions.services import close_expired_petitions


class Command(BaseCommand):
    help = "Recompute deadlines and escalation (reminder → yellow → red) of open cases; close expired petitions. Run daily."

    def handle(self, *args, **options):
        escalated = refresh_escalations()
        closed = close_expired_petitions()
        for report in escalated:
            self.stdout.write(
                f"  {report.reference} {report.get_state_display()} due {report.due_on} → {report.escalation}"
            )
        self.stdout.write(f"deadlines: {len(escalated)} cases escalated; petitions: {closed} closed")
