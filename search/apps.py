from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "sunshine_search"
    verbose_name = _("Search")

    def ready(self):
        from search.indexing import connect_signals

        connect_signals()

        from datetime import timedelta

        from core import schedule
        from search.jobs import index_pending

        schedule.register(
            "search.index_pending",
            index_pending,
            every=timedelta(minutes=5),
            description="Index what the search outbox still holds (after an outage of the search server)",
        )
