"""The header offers the staff admin only to those who have something to do there.

An inspector's work is on the monitoring and case screens; the Wagtail admin would open empty for them. One who
reaches the admin anyway finds the way to their screens on its home.
"""

import re

from wagtail.models import Page

from accounts.roles import Role, grant_page_permissions, has_admin_work
from tests.factories import UserFactory


def _header(client) -> str:
    return re.search(r'<nav class="main-nav".*?</nav>', client.get("/search/").content.decode(), re.DOTALL).group(0)


def test_an_inspector_is_not_offered_an_empty_admin(client, inspector):
    client.force_login(inspector)

    header = _header(client)

    assert 'href="/admin/"' not in header
    assert 'href="/monitoring/"' in header and 'href="/reports/cases/"' in header
    assert not has_admin_work(inspector)


def test_staff_who_edit_pages_are_offered_the_admin(client, legislator):
    grant_page_permissions(Page.objects.get(depth=1))
    client.force_login(legislator)

    assert 'href="/admin/"' in _header(client)


def test_administrators_and_superusers_are_offered_the_admin(client, regions):
    for user in (UserFactory(role=Role.ADMINISTRATOR), UserFactory(is_superuser=True)):
        client.force_login(user)
        assert 'href="/admin/"' in _header(client)


def test_an_inspector_who_opens_the_admin_finds_the_way_to_their_work(client, inspector):
    client.force_login(inspector)

    home = client.get("/admin/").content.decode()

    assert 'data-testid="inspector-work"' in home
    assert 'href="/monitoring/"' in home and 'href="/reports/cases/"' in home
