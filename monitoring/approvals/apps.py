from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """Administrative approval cases (行政审批): matters, time limits, steps, correction requests."""

    name = "monitoring.approvals"
    label = "approvals"
    verbose_name = _("Administrative approval")

    def ready(self) -> None:
        from monitoring.approvals.rules import APPROVAL_RULES
        from monitoring.rules import registry

        # The one registration of this monitoring domain: its rules and its ingest endpoint.
        registry.register(
            "approval", rules=APPROVAL_RULES, api_path="/approvals", api_router="monitoring.approvals.api.router"
        )
