"""Server-side role checks for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.roles import Role, has_role


def second_factor_missing(request) -> str | None:
    """Where to send a staff member who has not proved a second factor in this session, or None."""
    if not settings.STAFF_MFA_REQUIRED:
        return None
    from allauth.account.authentication import get_authentication_records
    from allauth.mfa.utils import is_mfa_enabled

    query = "?" + urlencode({"next": request.get_full_path()})
    if not is_mfa_enabled(request.user):
        return reverse("mfa_activate_totp") + query
    if not any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user)):
        return reverse("mfa_reauthenticate") + query
    return None


def role_required(*roles: Role, second_factor: bool = False) -> Callable:
    """Let through signed-in users holding one of `roles` (superusers always); 403 otherwise.

    With `second_factor`, staff must also have proved a second factor (TOTP) in this session
    when STAFF_MFA_REQUIRED is on: pages with reporters' identities and alerts need it.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (request.user.is_superuser or has_role(request.user, *roles)):
                raise PermissionDenied
            if second_factor and (target := second_factor_missing(request)):
                return redirect(target)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
