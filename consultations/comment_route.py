"""The comment form's address (`<draft>/comment/`), found in two queries instead of Wagtail's walk down the tree.

Wagtail finds a page by loading every page on its path, one level at a time, then the page's specific
row: eight queries before a comment is even read, on the platform's busiest write. Here the draft is
read by its `url_path` under the request's site (the site's root path comes from Wagtail's cached list),
with its report publication, and handed to Wagtail's own `serve` as the route it would have found: the
view restrictions and every serving hook run as for any page. Anything that is not a live draft's
comment address (another page whose child is called "comment", several roots for one site) is routed by
Wagtail as before.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail.models import Site
from wagtail.url_routing import RouteResult
from wagtail.views import serve

from consultations.models import DraftPage

COMMENT = "comment/"


def draft_at(request: HttpRequest, path: str) -> DraftPage | None:
    """The live draft whose address, under the request's site, is `path` ("consultations/some-draft/")."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    roots = [root.root_path for root in Site.get_site_root_paths() if root.site_id == site.pk]
    if len(roots) != 1:
        return None
    return DraftPage.objects.live().select_related("report_publication").filter(url_path=roots[0] + path).first()


def comment(request: HttpRequest, path: str) -> HttpResponse:
    draft = draft_at(request, path)
    if draft is not None:
        request.routable_resolver_match = match = draft.resolve_subpage("/" + COMMENT)  # type: ignore[attr-defined]
        view, args, kwargs = match
        # The route Wagtail's routing would have found (it keeps it on the request the same way).
        request._wagtail_route_for_request = RouteResult(draft, args=(view, args, kwargs))  # type: ignore[attr-defined]
    return serve(request, path + COMMENT)
