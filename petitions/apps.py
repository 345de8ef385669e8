from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from petitions import participation
        from petitions.search import register_documents

        # Petitions are searched; search knows them only through this registration.
        register_documents()
        # Petitions to follow, my petitions and signatures, and responses people are told about.
        participation.register()
        _register_live_and_jobs()


def _register_live_and_jobs() -> None:
    from datetime import timedelta

    from core import schedule
    from core.events import register_describer, register_guard
    from petitions.jobs import close_petitions
    from petitions.live import describe_petition, may_receive_petition_event
    from petitions.services import refresh_response_escalations

    # What petition events say on the staff's live panel.
    register_describer("petition.", describe_petition)
    # Petition events concern those who answer petitions, not the region's inspectors.
    register_guard("petition.", may_receive_petition_event)
    schedule.register(
        "petitions.close_expired",
        close_petitions,
        every=timedelta(minutes=15),
        description="Close the petitions whose signing period has ended",
        tags=("deadlines",),
    )
    # The petition answer loop's clock: unanswered responses escalate reminder → yellow → red.
    schedule.register(
        "petitions.response_deadlines",
        refresh_response_escalations,
        every=timedelta(hours=1),
        description="Escalate unanswered petition responses (reminder → yellow → red); tell staff once per level",
        tags=("deadlines",),
    )
