from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("My participation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import schedule
        from participation.services import send_digests

        schedule.register(
            "participation.daily_digest",
            send_digests,
            cron="0 8 * * *",
            description="E-mail each person who chose a daily digest what happened to what they follow",
        )
