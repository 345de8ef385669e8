from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from home.services import DEMO_PASSWORD, ensure_demo_accounts, ensure_home_page


class Command(BaseCommand):
    def _land(self):
        from monitoring.demo import load_land

        loaded, problems = load_land()
        for problem in problems:
            self.stdout.write(f"  skipped {problem}")
        return loaded

    @staticmethod
    def _approvals():
        from monitoring.approvals.demo import load_approvals

        return load_approvals()

    def _procurement(self):
        from monitoring.demo import load_procurement

        loaded, problems = load_procurement()
        for problem in problems:
            self.stdout.write(f"  skipped {problem}")
        return loaded

    def _procurement_cn(self):
        from monitoring.demo import load_procurement_cn

        loaded, problems = load_procurement_cn()
        for problem in problems:
            self.stdout.write(f"  skipped {problem}")
        return loaded

    @staticmethod
    def _history():
        from monitoring.demo import load_history

        return load_history()  # alerts and tasks spread over the last twelve months, with their handling

    @staticmethod
    def _petitions():
        from accounts.models import User
        from petitions.demo import load_petitions
        from reports.demo import load_reports

        citizen = User.objects.get(email="citizen@demo.sunshine.cn")
        admin = User.objects.get(email="admin@demo.sunshine.cn")
        inspector = User.objects.get(email="inspector@demo.sunshine.cn")
        return load_petitions(citizen, admin), load_reports(inspector)

    @staticmethod
    def _consultations():
        from accounts.models import User
        from consultations.demo import load_consultations

        legislator = User.objects.get(email="legislator@demo.sunshine.cn")
        return load_consultations(ensure_home_page(), legislator)

    @staticmethod
    def _search_index():
        from search.indexing import rebuild

        return rebuild()  # everything above, including rows written in bulk, findable at /search/

    help = "Load the demo content and accounts. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        results: dict[str, object] = {}
        steps = [
            ("regions", lambda: call_command("load_regions", stdout=self.stdout)),
            ("home page", ensure_home_page),
            ("accounts", ensure_demo_accounts),
            ("consultations", self._consultations),
            ("working-day calendar", lambda: call_command("load_calendar", stdout=self.stdout)),
            ("petitions and reports", self._petitions),
            ("land-transfer records", self._land),
            ("procurement records (OCDS)", self._procurement),
            ("approval cases (generated)", self._approvals),
            ("procurement records (generated, Chinese)", self._procurement_cn),
            ("alert history (12 months)", self._history),
            ("search index", self._search_index),
        ]
        # Demo cases move through their workflow; the mails that would tell reporters are not sent.
        backend, settings.EMAIL_BACKEND = settings.EMAIL_BACKEND, "django.core.mail.backends.dummy.EmailBackend"
        try:
            for number, (name, step) in enumerate(steps, start=1):
                self.stdout.write(f"[{number}/{len(steps)}] {name}…")
                results[name] = step()
        finally:
            settings.EMAIL_BACKEND = backend
        for draft, created in results["consultations"]:
            self.stdout.write(f"  {'created' if created else 'kept   '} {draft.title} [{draft.status.label}]")
        accounts = results["accounts"]
        created = sum(1 for _, was_created in accounts if was_created)
        self.stdout.write(self.style.SUCCESS(f"Demo content loaded ({created} new accounts)."))
        self.stdout.write(f"Demo accounts, password for all: {DEMO_PASSWORD}")
        for account, _ in accounts:
            role = account.role.value if account.role else "公众 (public)"
            self.stdout.write(f"  {account.email:<32} {role}")
        from reports.demo import DEMO_CODE

        self.stdout.write(f"Demo report follow-up code (at /reports/check/): {DEMO_CODE}")
