"""Every URL under /reports/ and /monitoring/ answers `Cache-Control: no-store, private`: found by walking the
URL patterns, so a page added later is covered by this test as well."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import UserFactory

STAFF_PREFIXES = ("/reports/", "/monitoring/", "/petitions/moderation/")
SAMPLES = {"uuid": str(uuid.UUID(int=7)), "int": "1", "path": "ocds-213czf-000-00001", "str": "x", "slug": "x"}


def _routes(patterns, prefix: str = "/"):
    for entry in patterns:
        route = str(entry.pattern)
        if not hasattr(entry.pattern, "converters"):  # a regex pattern: give it a sample here when one appears
            if prefix.startswith(STAFF_PREFIXES):
                pytest.fail(f"no sample URL for the regex pattern {route!r} under {prefix}")
            continue
        filled = re.sub(
            r"<(?:(\w+):)?(\w+)>", lambda match: SAMPLES[match.group(1) or "str"], route.lstrip("^").rstrip("$")
        )
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + filled)
        elif isinstance(entry, URLPattern):
            yield prefix + filled


def staff_urls() -> list[str]:
    return sorted({url for url in _routes(get_resolver().url_patterns) if url.startswith(STAFF_PREFIXES)})


def test_the_walk_finds_the_case_alert_and_entity_pages():
    urls = staff_urls()

    assert "/reports/cases/" in urls and "/monitoring/" in urls
    assert f"/reports/cases/{SAMPLES['uuid']}/identity/" in urls
    assert f"/monitoring/entities/{SAMPLES['int']}/" in urls
    assert any(url.startswith("/monitoring/approvals/") for url in urls)


@pytest.fixture
def staff_client(client, regions):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("url", staff_urls())
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_staff_and_report_page_is_never_stored(staff_client, client, url, method):
    # when the page is asked for, signed in as staff (a page, a redirect, a 404 for the sample id, a 405)
    response = getattr(staff_client, method)(url)

    # then no browser or proxy keeps it
    cache_control = response.get("Cache-Control", "")
    assert "no-store" in cache_control and "private" in cache_control, (url, response.status_code, cache_control)


def test_the_case_list_and_the_dashboard_are_real_pages_and_never_stored(staff_client):
    for url in ("/reports/cases/", "/monitoring/"):
        response = staff_client.get(url)

        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_an_anonymous_visitor_sent_to_sign_in_gets_no_store_too(client, db):
    response = client.get("/reports/cases/")

    assert response.status_code == 302 and "no-store" in response["Cache-Control"]


def test_public_pages_are_left_alone(client, db):
    assert "no-store" not in client.get("/api/health").get("Cache-Control", "")
