from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Legislative consultation")

    def ready(self) -> None:
        from consultations.search import register_documents

        # Draft articles and comments are searched; search knows them only through this registration.
        register_documents()

        from consultations import participation

        # Drafts to follow, my comments and what people are told about, for the participation kernel.
        participation.register()

        from consultations.models import SensitiveWord
        from consultations.services import SENSITIVE_WORDS_KEY
        from core.cache import forget_when_changed

        # Submissions read the sensitive-word list from the cache; a change to it empties that.
        forget_when_changed(SensitiveWord, SENSITIVE_WORDS_KEY)

        from django.core import checks

        from consultations.exports import check_report_font

        # Report PDFs embed a CJK font from a Debian package: say so at start-up when it is missing.
        checks.register(check_report_font)

        from consultations.live import describe_comment, may_receive_event
        from core.events import register_describer, register_guard

        # Comment events reach legislators and administrators only, in words, on the live panel.
        register_guard("comment.", may_receive_event)
        register_describer("comment.", describe_comment)

        from consultations.clustering_job import PROGRESS, describe_progress, may_see_progress

        # A clustering run's progress reaches those who manage the draft (the review screen shows it live).
        register_guard(PROGRESS, may_see_progress)
        register_describer(PROGRESS, describe_progress)

        from datetime import timedelta

        from consultations.tallies import fold
        from core import schedule

        # The comment tallies the screens sum: rows appended since the last run summed into one per key.
        schedule.register(
            "consultations.fold_tallies",
            fold,
            every=timedelta(minutes=1),
            description="Sum the comment tallies appended since the last run into one row per key",
        )
        from consultations.exports import remove_old_exports

        # Export files of large drafts are kept a week (settings.EXPORT_FILE_DAYS).
        schedule.register(
            "consultations.remove_old_exports",
            remove_old_exports,
            every=timedelta(hours=1),
            description="Remove comment export files older than a week",
        )
