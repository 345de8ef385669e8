"""Snippet choosers that respect the model's permissions.

Wagtail's snippet choosers list every object to anyone who may enter the admin; for the snippets only
administrators keep (monitoring rules, the working-day calendar) that shows them to legislators and
inspectors too. This chooser lets through only users holding a permission on the model.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import URLPattern
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.chooser import SnippetChooserViewSet

ANY_PERMISSION = ["add", "change", "delete", "view"]


class PermissionCheckedChooserViewSet(SnippetChooserViewSet):
    def _checked(self, view):
        policy = ModelPermissionPolicy(self.model)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not policy.user_has_any_permission(request.user, ANY_PERMISSION):
                raise PermissionDenied  # the admin answers with its "no permission" redirect
            return view(request, *args, **kwargs)

        return wrapped

    def get_urlpatterns(self):
        return [
            URLPattern(pattern.pattern, self._checked(pattern.callback), pattern.default_args, pattern.name)
            if isinstance(pattern, URLPattern)
            else pattern
            for pattern in super().get_urlpatterns()
        ]
