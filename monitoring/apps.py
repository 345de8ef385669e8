from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Electronic supervision")

    def ready(self) -> None:
        from datetime import timedelta

        from core import schedule
        from core.events import register_describer, register_guard
        from monitoring.land.rules import LAND_RULES
        from monitoring.live import describe_alert, describe_task, may_receive_event
        from monitoring.rules import registry
        from monitoring.services import refresh_task_escalations

        # The land domain lives in this app (monitoring/land/): its one registration.
        registry.register("land", rules=LAND_RULES, api_path="/land", api_router="monitoring.land.api.router")

        # Alert and task events reach only inspectors who may open the alert, as sentences.
        for prefix, describer in (("alert.", describe_alert), ("task.", describe_task)):
            register_guard(prefix, may_receive_event)
            register_describer(prefix, describer)
        schedule.register(
            "monitoring.task_escalations",
            refresh_task_escalations,
            every=timedelta(hours=1),
            description="Verification tasks: reminder, yellow, red; the assignee and the lead are told once per level",
            tags=("deadlines",),
        )
