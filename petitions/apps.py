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
        from petitions import participation

        # Petitions to follow, my petitions and signatures, and responses people are told about.
        participation.register()
        _register_petition_jobs()
        _register_live_and_jobs()


def _register_live_and_jobs() -> None:
    from datetime import timedelta

    from core import schedule
    from core.events import register_describer, register_guard
    from petitions.jobs import check_report_deadlines, close_petitions
    from petitions.live import describe_petition, describe_report, may_receive_petition_event

    # What report and petition events say on the staff's live panel.
    register_describer("report.", describe_report)
    register_describer("petition.", describe_petition)
    # Petition events concern those who answer petitions, not the region's inspectors.
    register_guard("petition.", may_receive_petition_event)
    schedule.register(
        "petitions.report_deadlines",
        check_report_deadlines,
        every=timedelta(hours=1),
        description="Report cases: statutory deadlines and escalation, reminder → yellow → red",
        tags=("deadlines",),
    )
    schedule.register(
        "petitions.close_expired",
        close_petitions,
        every=timedelta(minutes=15),
        description="Close the petitions whose signing period has ended",
        tags=("deadlines",),
    )


def _register_petition_jobs() -> None:
    """The petition answer loop's clock: unanswered responses escalate reminder → yellow → red."""
    from datetime import timedelta

    from core import schedule
    from petitions.services import refresh_response_escalations

    schedule.register(
        "petitions.response_deadlines",
        refresh_response_escalations,
        every=timedelta(hours=1),
        description="Escalate unanswered petition responses (reminder → yellow → red); tell staff once per level",
        tags=("deadlines",),
    )
