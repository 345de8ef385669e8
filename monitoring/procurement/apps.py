from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    """Public procurement records (OCDS): processes, bids, awards, contracts."""

    name = "monitoring.procurement"
    label = "procurement"
    verbose_name = _("Public procurement")
