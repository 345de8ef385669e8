"""Wagtail's users app, with the user forms that carry a jurisdiction (INSTALLED_APPS names this)."""

from wagtail.users.apps import WagtailUsersAppConfig


class StaffUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "accounts.viewsets.UserViewSet"
