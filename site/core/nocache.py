"""Pages that show cases, alerts, identities or entities are never kept by a browser or a proxy.

One place decides it, by URL prefix (settings.NO_STORE_URL_PREFIXES), so a page added under one of
them is covered without anyone remembering a decorator: every response there, whatever its status,
gets `Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private` and an `Expires` in the
past. A shared computer's back button or disk cache must not show an inspector's case to the next person.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def must_not_be_stored(path: str) -> bool:
    return path.startswith(tuple(settings.NO_STORE_URL_PREFIXES))


class NoStoreMiddleware:
    """Put it near the top of MIDDLEWARE, so the answers of the middleware below it are covered too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if must_not_be_stored(request.path_info):
            add_never_cache_headers(response)
        return response
