from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """Administrative approval cases (行政审批): matters, time limits, steps, correction requests."""

    name = "monitoring.approvals"
    label = "approvals"
    verbose_name = _("Administrative approval")
