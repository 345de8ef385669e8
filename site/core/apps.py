from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")

    def ready(self):
        from core.checks import check_field_encryption_key, check_published_secrets

        # Every environment: a bad key breaks filing. Deploy mode: no secret this repository publishes.
        checks.register(check_field_encryption_key, checks.Tags.security)
        checks.register(check_published_secrets, checks.Tags.security, deploy=True)

        from core import restrictions

        # Pages ask for their view restrictions on every view; whether any exists is cached (core.restrictions).
        restrictions.connect()

        from core import schedule, scheduler
        from core.events import prune_live_events

        schedule.register(
            "core.prune_live_events",
            prune_live_events,
            cron="30 3 * * *",
            description="Forget live events older than 30 days (the panel shows the latest ten)",
        )
        # `make run`: the periodic jobs run inside the development server (settings.SCHEDULER_AUTOSTART).
        scheduler.autostart()
