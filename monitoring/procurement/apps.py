from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    """Public procurement records (OCDS): processes, bids, awards, contracts."""

    name = "monitoring.procurement"
    label = "procurement"
    verbose_name = _("Public procurement")

    def ready(self) -> None:
        from monitoring.procurement.rules import ALL_RULES
        from monitoring.rules import registry

        # The one registration of this monitoring domain: its rules and its ingest endpoint.
        registry.register(
            "procurement", rules=ALL_RULES, api_path="/procurement", api_router="monitoring.procurement.api.router"
        )
