from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Legislative consultation")

    def ready(self) -> None:
        from consultations.search import register_documents

        # Draft articles and comments are searched; search knows them only through this registration.
        register_documents()
