from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions and reports")

    def ready(self) -> None:
        from core.events import register_guard
        from petitions.reports import may_receive_event
        from petitions.search import register_documents

        # Live events about reports reach only staff who may see the case (not those it names).
        register_guard("report.", may_receive_event)
        # Petitions and reports are searched; search knows them only through this registration.
        register_documents()
