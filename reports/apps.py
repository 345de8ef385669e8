from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from datetime import timedelta

        from core import records, schedule
        from core.events import register_describer, register_guard
        from reports.jobs import check_report_deadlines
        from reports.live import describe_report
        from reports.search import register_documents
        from reports.selectors import cases_for, may_receive_event

        # Live events about reports reach only staff who may see the case (not those it names), in words.
        register_guard("report.", may_receive_event)
        register_describer("report.", describe_report)
        # Reports are searched (inspectors only); search knows them only through this registration.
        register_documents()
        # Other domains show a viewer the reports they may see (an entity's timeline) without importing reports.
        records.register("reports", cases_for)
        schedule.register(
            "reports.deadlines",
            check_report_deadlines,
            every=timedelta(hours=1),
            description="Report cases: statutory deadlines and escalation, reminder → yellow → red",
            tags=("deadlines",),
        )
