"""One sign-in throttle for every login path.

Django admin, Wagtail's admin and its /_util/login/ page, allauth and the API all sign people
in through `django.contrib.auth.authenticate`, so the throttle lives there: a failure is
counted (by the account tried and by the client's network) on `user_login_failed`, and the
first authentication backend refuses every attempt — the right password too — while either
count is over its limit. allauth's own limits still apply on top on /accounts/login/.

Counters are in the cache (Redis in production, shared by every web process). The network is
kept only as a keyed digest, never in clear.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import gettext as _

from core import ratelimit
from core.clientip import client_address
from core.digests import keyed_digest

# (failures, seconds): per account tried, per client network. Same as allauth's "5/5m/key, 10/m/ip".
DEFAULT_LIMITS = {"account": (5, 300), "network": (10, 60)}


def _limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "LOGIN_FAILURE_LIMITS", {})}


def _account(credentials: dict) -> str:
    value = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    return keyed_digest("login-account", str(value).strip().lower())


def _network(request) -> str:
    return keyed_digest("login-network", client_address(request))


def _buckets(request, credentials: dict) -> list[tuple[str, int, int]]:
    limits = _limits()
    buckets = [(f"login-failures:account:{_account(credentials)}", *limits["account"])]
    if request is not None:
        buckets.append((f"login-failures:network:{_network(request)}", *limits["network"]))
    return buckets


def is_throttled(request, credentials: dict) -> bool:
    return any(ratelimit.exceeded(key, limit) for key, limit, _seconds in _buckets(request, credentials))


@receiver(user_login_failed, dispatch_uid="accounts.throttle.count_failure")
def count_failure(sender, credentials: dict, request=None, **kwargs) -> None:
    for key, limit, seconds in _buckets(request, credentials):
        ratelimit.hit(key, limit, seconds)


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend, first in AUTHENTICATION_BACKENDS: while the account or the network
    is throttled it refuses every attempt (PermissionDenied stops the other backends too)."""

    def authenticate(self, request, username=None, password=None, **credentials):
        if is_throttled(request, {"username": username, **credentials}):
            if request is not None and hasattr(request, "_messages"):
                messages.error(request, _("Too many failed sign-in attempts. Wait a few minutes and try again."))
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **credentials)
