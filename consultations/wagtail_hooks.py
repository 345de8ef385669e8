from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from consultations import admin_views, services
from consultations.models import DraftPage, SensitiveWord
from consultations.services import can_manage_draft
from core.snippet_choosers import PermissionCheckedChooserViewSet

app_name = "consultations_admin"
urlpatterns = [
    path("", admin_views.drafts_overview, name="drafts"),
    path("moderation/", admin_views.moderation_queue, name="moderation"),
    path("comments/<int:comment_id>/moderate/", admin_views.moderate, name="moderate"),
    path("moderation/bulk/", admin_views.moderate_bulk, name="moderate_bulk"),
    path("drafts/<int:draft_id>/import/", admin_views.import_version, name="import"),
    path("drafts/<int:draft_id>/themes/", admin_views.themes, name="themes"),
    path("drafts/<int:draft_id>/publish/", admin_views.publish, name="publish"),
    path("themes/<int:theme_id>/decide/", admin_views.decide, name="decide"),
    path("drafts/<int:draft_id>/review/", admin_views.review_themes, name="review"),
    path("drafts/<int:draft_id>/review/cluster/", admin_views.run_clustering, name="cluster"),
    path("drafts/<int:draft_id>/review/articles/", admin_views.review_articles, name="review_articles"),
    path("drafts/<int:draft_id>/review/search/", admin_views.review_search, name="review_search"),
    path("drafts/<int:draft_id>/review/campaigns/", admin_views.review_campaigns, name="review_campaigns"),
    path("review/campaigns/<int:campaign_id>/", admin_views.review_campaign, name="review_campaign"),
    path("review/themes/<int:theme_id>/", admin_views.review_theme, name="review_theme"),
    path("review/themes/<int:theme_id>/rename/", admin_views.rename_theme, name="rename_theme"),
    path("review/themes/<int:theme_id>/merge/", admin_views.merge_theme, name="merge_theme"),
    path("review/themes/<int:theme_id>/split/", admin_views.split_theme, name="split_theme"),
    path("review/themes/<int:theme_id>/remove/", admin_views.remove_member, name="remove_member"),
    path("review/themes/<int:theme_id>/undo/<int:entry_id>/", admin_views.undo_theme, name="undo_theme"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("consultations/", include((urlpatterns, app_name), namespace=app_name))]


class LegislatorMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(admin_views.managed_drafts(request.user))


@hooks.register("register_admin_menu_item")
def register_consultations_menu():
    return LegislatorMenuItem(
        _("Consultations"), reverse("consultations_admin:drafts"), icon_name="doc-full", order=250
    )


@hooks.register("register_admin_menu_item")
def register_moderation_menu():
    return LegislatorMenuItem(
        _("Comment moderation"), reverse("consultations_admin:moderation"), icon_name="comment", order=251
    )


@hooks.register("register_log_actions")
def register_theme_log_actions(actions):
    """Reviewing a theme is recorded in the audit log with who did it and when."""
    actions.register_action(services.THEME_RENAMED, _("Rename theme"), _("Theme renamed"))
    actions.register_action(services.THEME_MERGED, _("Merge themes"), _("Another theme merged into this one"))
    actions.register_action(services.THEME_SPLIT, _("Split theme"), _("Comments split off into a new theme"))
    actions.register_action(services.THEME_MEMBER_REMOVED, _("Remove comment from theme"), _("Comment removed"))
    actions.register_action(services.THEME_UNDONE, _("Undo a theme change"), _("A change was undone"))


@hooks.register("register_page_listing_more_buttons")
def draft_buttons(page, user, next_url=None):
    if issubclass(page.specific_class or type(page), DraftPage):
        yield Button(_("Import version"), reverse("consultations_admin:import", args=[page.pk]), priority=60)
        yield Button(_("Themes & report"), reverse("consultations_admin:themes", args=[page.pk]), priority=61)
        yield Button(_("Review comments"), reverse("consultations_admin:review", args=[page.pk]), priority=62)


def _refuse_outside_jurisdiction(request, page):
    """Legislators edit only drafts of their own jurisdiction; the page permissions alone would allow all."""
    specific = page.specific_deferred if hasattr(page, "specific_deferred") else page.specific
    if isinstance(specific, DraftPage) and not can_manage_draft(request.user, specific):
        raise PermissionDenied


for _hook in (
    "before_edit_page",
    "before_delete_page",
    "before_unpublish_page",
    "before_move_page",
    "before_copy_page",
):
    hooks.register(_hook, _refuse_outside_jurisdiction)


class SensitiveWordViewSet(SnippetViewSet):
    """Administrators keep the list: a comment containing one of these words waits for a moderator."""

    model = SensitiveWord
    chooser_viewset_class = PermissionCheckedChooserViewSet
    icon = "warning"
    menu_label = _("Sensitive words")
    add_to_settings_menu = True
    list_display = ["word", "note"]
    search_fields = ["word", "note"]


register_snippet(SensitiveWordViewSet)
