from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkingDayOverride(models.Model):
    """A day that breaks the Monday–Friday rule: a public holiday, or a weekend day worked (调休).

    Loaded each year from the State Council's announcement (`manage.py load_calendar`) and
    editable by administrators in the Wagtail admin.
    """

    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Ticked: a weekend day worked; unticked: a holiday.")
    )
    name = models.CharField(_("occasion"), max_length=40, blank=True)

    class Meta:
        db_table = "petitions_workingdayoverride"  # created by the petitions app, which kept it until issue #15
        ordering = ["day"]
        verbose_name = _("working-day calendar entry")
        verbose_name_plural = _("working-day calendar")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name} {'上班' if self.is_working_day else '放假'}"
