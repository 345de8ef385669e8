from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from core.snippet_choosers import PermissionCheckedChooserViewSet
from workdays.models import WorkingDayOverride


class WorkingCalendarViewSet(SnippetViewSet):
    """Administrators keep the holiday calendar current: the State Council announces it each year."""

    model = WorkingDayOverride
    chooser_viewset_class = PermissionCheckedChooserViewSet
    icon = "date"
    menu_label = _("Working-day calendar")
    add_to_settings_menu = True
    list_display = ["day", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    ordering = ["-day"]


register_snippet(WorkingCalendarViewSet)
