"""The Wagtail admin's home for staff whose work is elsewhere on the site.

Inspectors manage nothing in the admin (the header does not offer them the link, `accounts.roles.has_admin_work`);
one who arrives anyway (a bookmark, the admin's sign-in page) finds the way to the monitoring and case screens.
"""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from accounts.roles import Role, has_role


class InspectorWorkPanel(Component):
    name = "inspector_work"
    order = 10

    def render_html(self, parent_context=None) -> str:
        links = [
            (reverse("monitoring:dashboard"), _("Monitoring"), _("Alerts, verification tasks and entities")),
            (reverse("reports:staff_list"), _("Cases"), _("Reports to accept, handle and answer")),
        ]
        items = format_html_join(
            "", '<li><a href="{}">{}</a> — {}</li>', ((url, label, hint) for url, label, hint in links)
        )
        return format_html(
            '<section class="w-panel" data-testid="inspector-work"><div class="w-panel__content">'
            "<h2>{}</h2><p>{}</p><ul>{}</ul></div></section>",
            _("Your work"),
            _("Alerts and cases are handled on the site's own screens:"),
            items,
        )


@hooks.register("construct_homepage_panels")
def add_inspector_work(request, panels) -> None:
    if has_role(request.user, Role.INSPECTOR):
        panels.insert(0, InspectorWorkPanel())
